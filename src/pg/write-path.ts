/**
 * @module Saving a session: a write only of what changed. An unchanged session costs nothing, or
 * one touch when `touchAfter` has passed; a changed one is one INSERT or one UPDATE (or, in merge
 * mode, a short transaction). No save ever brings back a destroyed or renewed id.
 */
import { sealMulti, serializeWith } from '../codec/index.ts'
import { ConflictError } from '../errors.ts'
import { newSessionId } from '../session/id.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { RequestContext } from '../store/store.ts'
import { lifetime, rowKey, run, type SessionState, type StoreContext } from './context.ts'
import { cookieFor, cookieIfDue, expiredCookie } from './issue-cookie.ts'
import { mergeUpdate } from './merge.ts'
import { renewSession } from './renew.ts'
import { isEmpty, sameBytes } from './row-values.ts'
import { storedUserAgent } from './user-agent.ts'

/** Persists what changed in `session`; returns the `Set-Cookie` to send, if one is due. */
export async function commitSession(
  ctx: StoreContext,
  session: Session<SessionValues>,
  context: RequestContext,
): Promise<string | undefined> {
  const state = ctx.states.get(session)
  if (session.options.maxAge < 0) return commitDeletion(ctx, session, state)

  const values = session.values as SessionValues
  if (session.isNew && session.owner === undefined && isEmpty(values)) {
    // Nothing to keep: reading never creates a row or a cookie (CVE-2015-5143 class).
    ctx.events.notify('writeSkipped', { name: session.name })
    return undefined
  }
  const bytes = serializeWith(ctx.settings.serializer, values)
  if (state && !session.isNew && session.owner === state.owner) {
    if (state.maxAge === session.options.maxAge && sameBytes(bytes, state.snapshot)) {
      return commitUnchanged(ctx, session, state)
    }
  }
  if (state && !session.isNew && ownerBound(ctx, session, state)) {
    // Sign-in: a new id, written with the values and the owner in one statement.
    await renewSession(ctx, session, context)
    return cookieFor(ctx, session)
  }
  const data = sealMulti(session.name, bytes, ctx.codecs)
  ctx.rows.remember(session.name, data, bytes, Math.floor(ctx.settings.now() / 1000))
  if (session.isNew || !state) {
    await insert(ctx, session, data, bytes, context)
    return cookieFor(ctx, session)
  }
  await update(ctx, session, state, data, bytes)
  return cookieIfDue(ctx, session, state)
}

/** True when this save binds the session to a new owner, and the store rotates ids then. */
function ownerBound(
  ctx: StoreContext,
  session: Session<SessionValues>,
  state: SessionState,
): boolean {
  return (
    ctx.settings.rotateOnOwnerChange && session.owner !== undefined && session.owner !== state.owner
  )
}

async function commitDeletion(
  ctx: StoreContext,
  session: Session<SessionValues>,
  state: SessionState | undefined,
): Promise<string> {
  if (session.id && !state?.destroyed) {
    const result = await run(ctx, 'destroy session', ctx.queries.destroy, [rowKey(ctx, session.id)])
    ctx.events.notify('destroyed', { name: session.name, count: result.rowCount ?? 0 })
  }
  ctx.states.delete(session)
  // A later save in this request starts a brand-new session instead of reviving this id.
  session.id = ''
  session.isNew = true
  return expiredCookie(ctx, session)
}

async function commitUnchanged(
  ctx: StoreContext,
  session: Session<SessionValues>,
  state: SessionState,
): Promise<string | undefined> {
  const { reseal } = state
  if (!state.stale && reseal === undefined) {
    ctx.events.notify('writeSkipped', { name: session.name })
    return state.cookieDue ? cookieFor(ctx, session) : undefined
  }
  const touch = [rowKey(ctx, session.id), lifetime(ctx, session), ctx.settings.absolute ?? null]
  const result =
    reseal === undefined
      ? await run(ctx, 'touch session', ctx.queries.touch, touch)
      : await run(ctx, 'reseal session', ctx.queries.touchData, [
          ...touch,
          sealMulti(session.name, state.snapshot, ctx.codecs),
          reseal,
        ])
  state.stale = false
  state.reseal = undefined
  if (result.rowCount === 0) return undefined
  ctx.events.notify('touched', { name: session.name })
  return session.options.maxAge !== 0 || state.cookieDue ? cookieFor(ctx, session) : undefined
}

async function insert(
  ctx: StoreContext,
  session: Session<SessionValues>,
  data: string,
  bytes: Uint8Array,
  context: RequestContext,
): Promise<void> {
  if (!session.id) session.id = newSessionId(ctx.settings.random)
  const result = await run(ctx, 'insert session', ctx.queries.insert, [
    rowKey(ctx, session.id),
    data,
    lifetime(ctx, session),
    ctx.settings.absolute ?? null,
    session.owner ?? null,
    storedUserAgent(context.userAgent),
  ])
  if (result.rowCount === 0) throw new ConflictError('gone')
  session.isNew = false
  ctx.states.set(session, {
    snapshot: bytes,
    original:
      ctx.settings.mode === 'merge' ? structuredClone(session.values as SessionValues) : undefined,
    version: '1',
    owner: session.owner,
    stale: false,
    cookieDue: false,
    cookieSignedAt: 0,
    reseal: undefined,
    maxAge: session.options.maxAge,
    destroyed: false,
  })
  ctx.events.notify('created', { name: session.name })
}

async function update(
  ctx: StoreContext,
  session: Session<SessionValues>,
  state: SessionState,
  data: string,
  bytes: Uint8Array,
): Promise<void> {
  const { mode } = ctx.settings
  const values = session.values as SessionValues
  const base = [
    rowKey(ctx, session.id),
    data,
    lifetime(ctx, session),
    ctx.settings.absolute ?? null,
    session.owner ?? null,
    ctx.settings.touchAfter,
  ]
  let version: string | undefined
  if (mode === 'merge' && state.original) {
    const merged = await mergeUpdate(ctx, session, state.original, base)
    Object.assign(state, { snapshot: merged.bytes, original: structuredClone(merged.values) })
    session.values = merged.values as never
    version = merged.version
  } else {
    const optimistic = mode === 'optimistic'
    const query = optimistic ? ctx.queries.updateVersioned : ctx.queries.update
    const result = await run(
      ctx,
      'update session',
      query,
      optimistic ? [...base, state.version] : base,
    )
    version = (result.rows[0] as { version?: unknown } | undefined)?.version?.toString()
    if (version === undefined) {
      if (!optimistic) throw new ConflictError('gone')
      const exists = await run(ctx, 'check session', ctx.queries.exists, [rowKey(ctx, session.id)])
      throw new ConflictError(exists.rowCount ? 'version' : 'gone')
    }
    state.snapshot = bytes
    if (state.original) state.original = structuredClone(values)
  }
  Object.assign(state, { version, owner: session.owner, stale: false, reseal: undefined })
  ctx.events.notify('saved', { name: session.name })
}
