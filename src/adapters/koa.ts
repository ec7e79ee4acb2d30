/**
 * @module The Koa middleware: `ctx.session`, saved after the downstream middleware resolves and
 * before Koa writes the response. Koa is imported for its types only.
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

export { destroySession, renewSession } from './shared.ts'

/** What the middleware adds to the Koa context. */
export type SessionContext<V extends SessionValues = SessionValues> = {
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

/**
 * Koa middleware: loads the session into `ctx.session` and saves it once the downstream middleware
 * resolved. An untouched session writes nothing and sends no cookie. A failed load or save is
 * thrown into Koa's error handling (a `500`).
 *
 * Fail closed: when a downstream middleware throws or rejects, or leaves a `5xx` status, nothing
 * is saved and no session cookie is sent, unless `saveOnError` is set (then the cookie rides on
 * the error's `headers`, which Koa sets on its error response).
 *
 * The context type flows through `app.use`, so no global augmentation is needed.
 *
 * @param options `name`: the cookie name, default `'session'`; `saveOnError`, default `false`.
 * @example
 * ```ts
 * const app = new Koa().use(koaSessions<{ views: number }>(store, { name: 'sid' }))
 * app.use((ctx) => {
 *   ctx.session.values.views = (ctx.session.values.views ?? 0) + 1
 *   ctx.body = `views: ${ctx.session.values.views}`
 * })
 * ```
 */
export function koaSessions<V extends SessionValues = SessionValues>(
  store: SessionCore,
  options?: AdapterOptions,
): Middleware<DefaultState, SessionContext<V>> {
  assertStore(store)
  const name = resolveName(options)
  return async function session(ctx, next) {
    const context = { userAgent: ctx.get('user-agent') || undefined }
    const session = await store.load<V>(ctx.get('cookie') || undefined, name, context)
    const res = ctx.res
    // `session.save()` in a handler sets its cookie (and the cache headers) on this response.
    session.bind(ctx.req, {
      appendHeader: (_: string, value: string) => addSessionHeaders(res, [value]),
    })
    ctx.session = session
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
}
