/**
 * @module The Koa middleware: `ctx.session`, saved after the downstream middleware resolves and
 * before Koa writes the response. Koa is imported for its types only.
 *
 * Types: importing this module declares `ctx.session` on Koa's `DefaultContext` as a session with
 * untyped values, so `app.use(koaSessions(...))` followed by `app.use((ctx) => ctx.session)` is not
 * `any`. Typed values come from the middleware itself: `sessions.of(ctx)` is `Session<V>`, checked
 * to be the session it loaded. (`koa-session`'s types declare `ctx.session` too; use one of them.)
 */
import type { DefaultState, Middleware } from 'koa'
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { addSessionHeaders, commitSessions } from './node.ts'
import {
  type AdapterOptions,
  assertStore,
  privateCacheHeaders,
  resolveName,
  shouldSave,
} from './shared.ts'
import { LoadedSessions } from './typed.ts'

export { destroySession, renewSession } from './shared.ts'

declare module 'koa' {
  interface DefaultContext {
    /** The request's pgstore session (values untyped; `sessions.of(ctx)` for typed values). */
    session: Session<SessionValues>
  }
}

/** What the middleware adds to the Koa context. */
export type SessionContext<V extends object = SessionValues> = {
  session: Session<V>
}

// Koa answers an error by clearing every header and then setting `err.headers`: with `saveOnError`,
// the session's cookie and cache headers go there, so the error response carries them.
async function saveIntoError(error: unknown, pending: Parameters<typeof commitSessions>[0]) {
  const cookies = await commitSessions(pending)
  if (cookies.length === 0 || error === null || typeof error !== 'object') return
  const target = error as { headers?: Record<string, string | string[]> }
  const headers = { ...(target.headers ?? {}) }
  const own = headers['set-cookie'] ?? headers['Set-Cookie']
  headers['set-cookie'] = [...(own === undefined ? [] : [own].flat()), ...cookies]
  const change = privateCacheHeaders({
    cacheControl: [headers['cache-control'] ?? []].flat().join(', ') || undefined,
    vary: [headers.vary ?? []].flat().join(', ') || undefined,
  })
  if (change.cacheControl) headers['cache-control'] = change.cacheControl
  if (change.vary) headers.vary = change.vary
  target.headers = headers
}

/** The middleware {@link koaSessions} returns, with its typed accessor. */
export interface KoaSessions<V extends object = SessionValues>
  extends Middleware<DefaultState, SessionContext<V>> {
  /**
   * `ctx.session` as `Session<V>`. Throws `ERR_INVALID_SESSION` unless this middleware loaded it
   * (it runs after this one, or another middleware's session is there).
   */
  of(ctx: { session?: unknown }): Session<V>
}

/**
 * Koa middleware: loads the session into `ctx.session` and saves it once the downstream middleware
 * resolved. An untouched session writes nothing and sends no cookie. A failed load or save is
 * thrown into Koa's error handling (a `500`).
 *
 * Fail closed: when a downstream middleware throws or rejects, or leaves a `5xx` status, nothing
 * is saved and no session cookie is sent, unless `saveOnError` is set (then the cookie rides on
 * the error's `headers`, which Koa sets on its error response).
 *
 * The context type flows through a chained `app.use`; otherwise use `sessions.of(ctx)`.
 *
 * @param options `name`: the cookie name, default `'session'`; `saveOnError`, default `false`.
 * @example
 * ```ts
 * const sessions = koaSessions<{ views: number }>(store, { name: 'sid' })
 * app.use(sessions)
 * app.use((ctx) => {
 *   const session = sessions.of(ctx) // Session<{ views: number }>; ctx.session is untyped
 *   session.values.views = (session.values.views ?? 0) + 1
 *   ctx.body = `views: ${session.values.views}`
 * })
 * ```
 */
export function koaSessions<V extends object = SessionValues>(
  store: SessionCore,
  options?: AdapterOptions,
): KoaSessions<V> {
  assertStore(store)
  const name = resolveName(options)
  const loaded = new LoadedSessions<V>(
    'ctx.session is not a session of this middleware: app.use() it before this one',
  )
  const middleware: Middleware<DefaultState, SessionContext<V>> = async function session(
    ctx,
    next,
  ) {
    const context = { userAgent: ctx.get('user-agent') || undefined }
    const session = await store.load<V>(ctx.get('cookie') || undefined, name, context)
    const res = ctx.res
    // `session.save()` in a handler sets its cookie (and the cache headers) on this response.
    session.bind(ctx.req, {
      appendHeader: (_: string, value: string) => addSessionHeaders(res, [value]),
    })
    ctx.session = loaded.add(session)
    const pending = [{ store, session: session as Session<SessionValues>, context }]
    try {
      await next()
    } catch (error) {
      if (options?.saveOnError === true) await saveIntoError(error, pending)
      throw error
    }
    if (!shouldSave({ failed: false, status: ctx.status }, options)) return
    const cookies = await commitSessions(pending)
    if (cookies.length > 0) addSessionHeaders(res, cookies)
  }
  const of = (ctx: { session?: unknown }): Session<V> => loaded.check(ctx.session)
  return Object.assign(middleware, { of })
}
