/**
 * @module The Hono middleware: `c.get('session')` in every handler, saved after the handler
 * returns, its `Set-Cookie` added to `c.res`. Hono is imported for its types only.
 */
import type { MiddlewareHandler } from 'hono'
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { type AdapterOptions, assertStore, privateCacheHeaders, resolveName } from './shared.ts'

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
 * @param options `name`: the cookie name, default `'session'`.
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
    const setCookie = await store.commit(session as Session<SessionValues>, context)
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
