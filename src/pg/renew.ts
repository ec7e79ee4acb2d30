/**
 * @module Replacing and ending a session id: `renew` at sign-in and privilege changes, `destroy` at
 * sign-out. Each is one statement, so a request racing it cannot bring the old id back.
 */
import { sealMulti, serializeWith } from '../codec/index.ts'
import { ConflictError } from '../errors.ts'
import { newSessionId } from '../session/id.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { RequestContext } from '../store/store.ts'
import { lifetime, rowKey, run, type StoreContext } from './context.ts'
import { storedUserAgent } from './user-agent.ts'

/**
 * Gives a loaded `session` a new id, keeping its values; the old row goes in the same statement.
 * A session not yet saved just drops its id (the save will make a fresh one). Throws
 * `ConflictError('gone')` when the session was destroyed or renewed meanwhile.
 */
export async function renewSession(
  ctx: StoreContext,
  session: Session<SessionValues>,
  context: RequestContext,
): Promise<void> {
  const state = ctx.states.get(session)
  if (session.isNew || !state) {
    session.id = ''
    return
  }
  const values = session.values as SessionValues
  const bytes = serializeWith(ctx.settings.serializer, values)
  const data = sealMulti(session.name, bytes, ctx.codecs)
  const id = newSessionId(ctx.settings.random)
  const result = await run(ctx, 'renew session', ctx.queries.renew, [
    rowKey(ctx, session.id),
    rowKey(ctx, id),
    lifetime(ctx, session),
    ctx.settings.absolute ?? null,
    session.owner ?? null,
    storedUserAgent(context.userAgent),
    data,
  ])
  if (result.rowCount === 0) throw new ConflictError('gone')
  session.id = id
  Object.assign(state, {
    snapshot: bytes,
    version: '1',
    owner: session.owner,
    cookieDue: true,
    reseal: undefined,
  })
  if (state.original) state.original = structuredClone(values)
  ctx.events.notify('renewed', { name: session.name })
}

/** Deletes the session's row now and marks it so the next commit sends an expiring cookie. */
export async function destroySession(
  ctx: StoreContext,
  session: Session<SessionValues>,
): Promise<void> {
  if (session.id) {
    const result = await run(ctx, 'destroy session', ctx.queries.destroy, [rowKey(ctx, session.id)])
    ctx.events.notify('destroyed', { name: session.name, count: result.rowCount ?? 0 })
  }
  const state = ctx.states.get(session)
  if (state) state.destroyed = true
  session.options.maxAge = -1
}
