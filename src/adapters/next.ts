/**
 * @module Next.js (App Router) helpers over a pgstore store: sessions through the cookie store of
 * `cookies()` from `next/headers` (server actions, route handlers) or `request.cookies` /
 * `response.cookies` (middleware), and a wrapper for route handlers and middleware that commits the
 * session onto the `Response` with its cache headers.
 *
 * Next.js percent-encodes cookie values it writes through `cookies().set` (`=` becomes `%3D`) and
 * decodes them on read, so within Next.js it round-trips; a Go service sharing the cookie needs the
 * raw value: use {@link NextSessions.withSession} (which writes the raw `Set-Cookie`) there.
 */
import type { cookies } from 'next/headers.js'
import { UsageError } from '../errors.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { withSessionCookie } from './response-cookie.ts'
import {
  type AdapterOptions,
  assertStore,
  destroySession,
  renewSession,
  resolveName,
} from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

/** What `await cookies()` returns in Next.js (`ReadonlyRequestCookies`). */
export type NextCookies = Awaited<ReturnType<typeof cookies>>

/** A cookie store to read from: `await cookies()`, or `request.cookies` in middleware. */
export type NextCookieReader = Pick<NextCookies, 'get'>

/**
 * A cookie store to write to: `await cookies()` in a server action or route handler, or
 * `response.cookies` in middleware.
 */
export type NextCookieWriter = Pick<NextCookies, 'set'>

/** A route handler or middleware with the session of its request. */
export type SessionHandler<V extends SessionValues, C> = (
  request: Request,
  session: Session<V>,
  context: C,
) => Response | Promise<Response>

/** The Next.js helpers of one store; see {@link nextSessions}. */
export interface NextSessions<V extends SessionValues = SessionValues> {
  /**
   * Loads the session from a cookie store. Never throws for a bad cookie (a new session, with
   * `session.error` set); rejects with a `StoreError` only when the database fails.
   */
  getSession(cookies: NextCookieReader): Promise<Session<V>>
  /**
   * Saves what changed and sets the cookie through `cookies.set` when one is due (a Server
   * Component's read-only `cookies()` throws there: commit in an action or route handler).
   * Resolves `true` when a cookie was set; an unchanged session writes nothing and sets nothing.
   */
  commitSession(session: Session<V>, cookies: NextCookieWriter): Promise<boolean>
  /**
   * Wraps a route handler (or middleware): loads the session from the request, runs `handler`,
   * then commits and appends the `Set-Cookie` (raw, as Go reads it) with `Cache-Control:
   * no-store` (unless set) and `Vary: Cookie`. When `handler` throws, nothing is committed.
   */
  withSession<C = unknown>(
    handler: SessionHandler<V, C>,
  ): (request: Request, context: C) => Promise<Response>
  /** Deletes the session now; the next commit expires the cookie. */
  destroySession(session: Session<V>): Promise<void>
  /** A new id for the session (sign-in); the next commit sends the new cookie. */
  renewSession(session: Session<V>): Promise<void>
}

/** The cookie value of a `Set-Cookie` header pgstore rendered (`name=value; ...`). */
function cookieValue(setCookie: string, name: string): string {
  const end = setCookie.indexOf(';')
  return setCookie.slice(name.length + 1, end === -1 ? undefined : end)
}

/** `cookies.set` options from the session's cookie options, as `renderSetCookie` applies them. */
function cookieOptions(session: Session<SessionValues>) {
  const o = session.options
  const expiry =
    o.maxAge > 0
      ? { maxAge: o.maxAge, expires: new Date(Date.now() + o.maxAge * 1000) }
      : o.maxAge < 0
        ? { maxAge: 0, expires: new Date(1000) }
        : {}
  return {
    path: o.path,
    ...(o.domain ? { domain: o.domain.replace(/^\./, '') } : {}),
    ...expiry,
    httpOnly: o.httpOnly,
    secure: o.secure,
    sameSite: o.sameSite,
    partitioned: o.partitioned,
  }
}

/**
 * Next.js session helpers over `store` (a `PGStore` or a `CookieStore`).
 *
 * @param options `name`: the cookie name, default `'session'`.
 * @example
 * ```ts
 * // app/actions.ts
 * 'use server'
 * import { cookies } from 'next/headers'
 * export async function signIn(user: string) {
 *   const jar = await cookies()
 *   const session = await sessions.getSession(jar)
 *   session.values.user = user
 *   await sessions.commitSession(session, jar)
 * }
 * // app/api/count/route.ts
 * export const GET = sessions.withSession(async (request, session) => {
 *   session.values.n = (session.values.n ?? 0) + 1
 *   return Response.json({ n: session.values.n })
 * })
 * ```
 */
export function nextSessions<V extends SessionValues = SessionValues>(
  store: SessionCore,
  options?: AdapterOptions,
): NextSessions<V> {
  assertStore(store)
  const name = resolveName(options)
  return {
    async getSession(cookies) {
      if (!cookies || typeof cookies.get !== 'function') {
        throw new UsageError('ERR_INVALID_OPTION', 'pass the cookie store of cookies()')
      }
      const value = cookies.get(name)?.value
      return store.load<V>(value === undefined ? undefined : `${name}=${value}`, name)
    },
    async commitSession(session, cookies) {
      const setCookie = await store.commit(session as Session<SessionValues>)
      if (setCookie === undefined) return false
      cookies.set(
        name,
        cookieValue(setCookie, name),
        cookieOptions(session as Session<SessionValues>),
      )
      return true
    },
    withSession(handler) {
      return async (request, context) => {
        const session = await store.load<V>(request.headers.get('cookie'), name, {
          userAgent: request.headers.get('user-agent') ?? undefined,
        })
        const response = await handler(request, session, context)
        const setCookie = await store.commit(session as Session<SessionValues>, {
          userAgent: request.headers.get('user-agent') ?? undefined,
        })
        return setCookie === undefined ? response : withSessionCookie(response, setCookie)
      }
    },
    destroySession: (session) => destroySession(session as Session<SessionValues>),
    renewSession: (session) => renewSession(session as Session<SessionValues>),
  }
}
