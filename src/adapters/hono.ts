/**
 * @module The Hono middleware: `c.get('session')` in every handler, saved after the handler
 * returns, its `Set-Cookie` added to `c.res`. Hono is imported for its types only.
 */
import type { MiddlewareHandler } from 'hono'
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import {
  type AdapterOptions,
  assertStore,
  privateCacheHeaders,
  resolveName,
  shouldSave,
} from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

/**
 * The context variables the middleware sets, for `new Hono<{ Variables: SessionVariables<V> }>()`.
 */
export type SessionVariables<V extends object = SessionValues> = {
  session: Session<V>
}

/**
 * Hono middleware: loads the session into `c.var.session` and saves it once the handler is done.
 * An untouched session writes nothing and sends no cookie. A failed load or save is thrown to
 * Hono's `onError` (a `500` by default). `session.save()` works without arguments.
 *
 * Fail closed: when the handler throws or rejects (Hono sets `c.error`) or the response status is
 * `5xx`, nothing is saved and no session cookie is sent, unless `saveOnError` is set. An explicit
 * `session.save()` is the handler's own call: it has written, and its cookie is sent.
 *
 * @param options `name`: the cookie name, default `'session'`; `saveOnError`, default `false`.
 * @example
 * ```ts
 * const app = new Hono<{ Variables: SessionVariables<{ views: number }> }>()
 * app.use(honoSessions(store, { name: 'sid' }))
 * app.get('/', (c) => {
 *   const session = c.get('session')
 *   session.values.views = (session.values.views ?? 0) + 1
 *   return c.text(`views: ${session.values.views}`)
 * })
 * ```
 */
export function honoSessions<V extends object = SessionValues>(
  store: SessionCore,
  options?: AdapterOptions,
): MiddlewareHandler<{ Variables: SessionVariables<V> }> {
  assertStore(store)
  const name = resolveName(options)
  return async function session(c, next) {
    const context = { userAgent: c.req.header('user-agent') }
    const session = await store.load<V>(c.req.header('cookie'), name, context)
    // The response does not exist yet: `session.save()` collects its cookie here.
    const saved = new Headers()
    session.bind(c.req.raw, saved)
    c.set('session', session)
    await next()
    // Hono catches a handler's error, answers through `onError` and leaves the error on `c.error`.
    const outcome = { failed: c.error !== undefined, status: c.res.status }
    const setCookie = shouldSave(outcome, options)
      ? await store.commit(session as Session<SessionValues>, context)
      : undefined
    const cookies = saved.getSetCookie()
    if (setCookie !== undefined && !cookies.includes(setCookie)) cookies.push(setCookie)
    if (cookies.length === 0) return
    // `c.header` copies a finalized response first, so immutable headers are no obstacle.
    for (const cookie of cookies) c.header('set-cookie', cookie, { append: true })
    const change = privateCacheHeaders({
      cacheControl: c.res.headers.get('cache-control') ?? undefined,
      vary: c.res.headers.get('vary') ?? undefined,
    })
    if (change.cacheControl) c.header('cache-control', change.cacheControl)
    if (change.vary) c.header('vary', change.vary)
  }
}
