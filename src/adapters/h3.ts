/**
 * @module h3 v2 (Nitro, Nuxt server routes): a middleware that loads the session before the route
 * and commits it after, writing the `Set-Cookie` and cache headers through `event.res.headers`.
 */
import type { H3Event, Middleware } from 'h3'
import { UsageError } from '../errors.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { appendSessionCookie } from './fetch.ts'
import { withSessionCookie } from './response-cookie.ts'
import { type AdapterOptions, assertStore, resolveName } from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

const sessions = new WeakMap<object, Session<SessionValues>>()

/**
 * The session the {@link h3Sessions} middleware loaded for `event`.
 *
 * @throws {UsageError} `ERR_INVALID_OPTION` when the middleware did not run for this event.
 */
export function sessionOf<V extends SessionValues = SessionValues>(event: H3Event): Session<V> {
  const session = sessions.get(event)
  if (!session) {
    throw new UsageError('ERR_INVALID_OPTION', 'no session: register h3Sessions() with app.use()')
  }
  return session as Session<V>
}

/**
 * An h3 middleware over `store` (a `PGStore` or a `CookieStore`); read the session with
 * {@link sessionOf}. After the route, what changed is saved and the cookie set with
 * `Cache-Control: no-store` (unless set) and `Vary: Cookie`; an unchanged session writes nothing.
 * Fails closed: when the route throws, nothing is committed.
 *
 * @param options `name`: the cookie name, default `'session'`.
 * @example
 * ```ts
 * const app = new H3().use(h3Sessions(store))
 * app.get('/', (event) => { const s = sessionOf<{ n: number }>(event); return { n: (s.values.n = (s.values.n ?? 0) + 1) } })
 * ```
 */
export function h3Sessions(store: SessionCore, options?: AdapterOptions): Middleware {
  assertStore(store)
  const name = resolveName(options)
  return async (event, next) => {
    const userAgent = event.req.headers.get('user-agent') ?? undefined
    const session = await store.load(event.req.headers.get('cookie'), name, { userAgent })
    sessions.set(event, session)
    const result = await next()
    const setCookie = await store.commit(session, { userAgent })
    if (setCookie === undefined) return result
    // A route that returns its own Response keeps its headers; other results take event.res's.
    if (result instanceof Response) return withSessionCookie(result, setCookie)
    appendSessionCookie(event.res.headers, setCookie)
    return result
  }
}
