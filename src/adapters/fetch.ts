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
export interface FetchSessions<V extends object = SessionValues> {
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
   * (`Cache-Control: no-store` unless already set, `Vary: Cookie`), and returns the object to send:
   * `target` itself, or, for a `Response` whose headers are immutable (`Response.redirect`, a
   * `fetch` result), a copy of it carrying the cookie. Always return what it returns:
   *
   * ```ts
   * await sessions.renewSession(session, request)
   * return sessions.setCookies(session, Response.redirect(new URL('/', request.url), 303), request)
   * ```
   *
   * Checks `target` before saving anything: a target it could not deliver the cookie on (not a
   * `Headers` or `Response`, or a `Response` whose body was already read and so cannot be copied)
   * throws `ERR_INVALID_OPTION` with the session unsaved.
   */
  setCookies<T extends Headers | Response>(
    session: Session<V>,
    target: T,
    request?: FetchRequestLike,
  ): Promise<T>
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
 * Whether `response` must be copied to carry a cookie: its headers are immutable. `delete` of a
 * name it does not have changes nothing on mutable headers and throws on immutable ones (the Fetch
 * standard checks the guard first), so it tells the two apart without a side effect.
 *
 * @throws {UsageError} `ERR_INVALID_OPTION` for a target that is not a `Headers` or a `Response`,
 *   or an immutable `Response` whose body was already read (a copy would have none).
 */
function mustCopy(response: Response): boolean {
  try {
    response.headers.delete('x-pgstore-mutability-probe')
    return false
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
  }
  if (response.bodyUsed) {
    throw new UsageError(
      'ERR_INVALID_OPTION',
      'setCookies needs a response it can copy: this one has immutable headers and a body already read',
    )
  }
  return true
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
 *   return sessions.setCookies(session, Response.json({ ok: true }), request)
 * }
 * ```
 */
export function fetchSessions<V extends object = SessionValues>(
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
    async setCookies<T extends Headers | Response>(
      session: Session<V>,
      target: T,
      request?: FetchRequestLike,
    ): Promise<T> {
      // Everything that could fail after the save is decided before it.
      if (!(target instanceof Headers) && !(target instanceof Response)) {
        throw new UsageError('ERR_INVALID_OPTION', 'setCookies needs a Headers or a Response')
      }
      const copy = target instanceof Response && mustCopy(target)
      const setCookie = await commitSession(session, request)
      if (setCookie === undefined) return target
      const out = copy ? (new Response(target.body, target) as T) : target
      appendSessionCookie(out instanceof Headers ? out : (out as Response).headers, setCookie)
      return out
    },
    destroySession: (session) => destroySession(session as Session<SessionValues>),
    renewSession: (session, request) =>
      renewSession(session as Session<SessionValues>, contextOf(request)),
  }
}
