/**
 * @module The Fetch-standard adapter, the reference the others follow: `Request` in, `Set-Cookie`
 * out. For Next.js route handlers and server actions, React Router loaders and actions, Bun, Deno
 * and Workers.
 */
import { UsageError } from '../errors.ts'
import type { Session, SessionValues } from '../session/session.ts'
import { requestCookieHeader, requestUserAgent } from '../store/http.ts'
import type { RequestContext, SessionCore } from '../store/store.ts'
import {
  type AdapterOptions,
  assertStore,
  destroySession,
  privateCacheHeaders,
  renewSession,
  resolveName,
} from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

/** Anything with a `get(name)` for headers: `Headers`, Next.js `headers()`. */
export interface HeadersLike {
  get(name: string): string | null
}

/** A request, its headers, or the `Cookie` header value itself (`null`/`undefined`: none). */
export type FetchRequestLike = { headers: HeadersLike } | HeadersLike | string | null | undefined

/** The session functions of one store; see {@link fetchSessions}. */
export interface FetchSessions<V extends SessionValues = SessionValues> {
  /**
   * Loads session `name` (default: the adapter's) from the request's `Cookie` header. Never throws
   * for a bad cookie (a new session, with `session.error` set); rejects with a `StoreError` only
   * when the database fails.
   */
  getSession(request: FetchRequestLike, name?: string): Promise<Session<V>>
  /**
   * Saves what changed and returns the `Set-Cookie` header value to send, or `undefined` when
   * nothing must be sent (an untouched session). `request` only supplies the `User-Agent`.
   */
  commitSession(session: Session<V>, request?: FetchRequestLike): Promise<string | undefined>
  /**
   * {@link commitSession}, then appends the `Set-Cookie` to `target` and marks it uncacheable
   * (`Cache-Control: no-store` unless already set, `Vary: Cookie`). A `Response` with immutable
   * headers (`Response.redirect`, a `fetch` result) throws `ERR_INVALID_OPTION`: copy it first
   * with `new Response(res.body, res)`.
   */
  setCookies(
    session: Session<V>,
    target: Headers | Response,
    request?: FetchRequestLike,
  ): Promise<void>
  /** Deletes the session now; the next commit returns an expiring cookie. */
  destroySession(session: Session<V>): Promise<void>
  /** A new id for the session (sign-in); the next commit returns the new cookie. */
  renewSession(session: Session<V>, request?: FetchRequestLike): Promise<void>
}

function headersOf(request: FetchRequestLike): HeadersLike | undefined {
  if (request === null || request === undefined || typeof request === 'string') return undefined
  return 'headers' in request ? request.headers : request
}

function cookieHeader(request: FetchRequestLike): string | undefined {
  if (typeof request === 'string') return request
  const headers = headersOf(request)
  return headers ? requestCookieHeader({ headers }) : undefined
}

function contextOf(request: FetchRequestLike): RequestContext {
  const headers = headersOf(request)
  return { userAgent: headers ? requestUserAgent({ headers }) : undefined }
}

/**
 * Appends `setCookie` to `headers` with the cache headers a session response needs. Exposed for
 * frameworks that hand you a `Headers` to fill.
 */
export function appendSessionCookie(headers: Headers, setCookie: string): void {
  try {
    headers.append('set-cookie', setCookie)
    const change = privateCacheHeaders({
      cacheControl: headers.get('cache-control') ?? undefined,
      vary: headers.get('vary') ?? undefined,
    })
    if (change.cacheControl) headers.set('cache-control', change.cacheControl)
    if (change.vary) headers.set('vary', change.vary)
  } catch (error) {
    if (error instanceof TypeError) {
      throw new UsageError(
        'ERR_INVALID_OPTION',
        'the response headers are immutable: copy the response with new Response(res.body, res)',
        { cause: error },
      )
    }
    throw error
  }
}

/**
 * Session functions over `store` for Fetch `Request`/`Response` code. Nothing is automatic: call
 * `setCookies` (or `commitSession`) before returning the response, for every session you loaded;
 * an untouched session writes nothing and sends nothing, so calling it always is cheap.
 *
 * @param options `name`: the default session name, default `'session'`.
 * @example
 * ```ts
 * const sessions = fetchSessions<{ user: string }>(store, { name: 'sid' })
 * export async function GET(request: Request) {
 *   const session = await sessions.getSession(request)
 *   session.values.user = 'ada'
 *   const response = Response.json({ ok: true })
 *   await sessions.setCookies(session, response, request)
 *   return response
 * }
 * ```
 */
export function fetchSessions<V extends SessionValues = SessionValues>(
  store: SessionCore,
  options?: AdapterOptions,
): FetchSessions<V> {
  assertStore(store)
  const defaultName = resolveName(options)
  const commitSession = (session: Session<V>, request?: FetchRequestLike) =>
    store.commit(session as Session<SessionValues>, contextOf(request))
  return {
    getSession: (request, name = defaultName) =>
      store.load<V>(cookieHeader(request), name, contextOf(request)),
    commitSession,
    async setCookies(session, target, request) {
      const setCookie = await commitSession(session, request)
      if (setCookie === undefined) return
      appendSessionCookie(target instanceof Headers ? target : target.headers, setCookie)
    },
    destroySession: (session) => destroySession(session as Session<SessionValues>),
    renewSession: (session, request) =>
      renewSession(session as Session<SessionValues>, contextOf(request)),
  }
}
