/**
 * @module The only place that knows request and response shapes: it reads the `Cookie` and
 * `User-Agent` headers and appends `Set-Cookie`, for node:http and the Fetch standard alike.
 */
import { UsageError } from '../errors.ts'

/** Anything with request headers: a node:http `IncomingMessage`, a Fetch `Request`, or `Headers`. */
export type RequestLike =
  | { headers: Headers | { get(name: string): string | null } }
  | { headers: Record<string, string | string[] | undefined> }
  | Headers

/**
 * Anything that can take a `Set-Cookie`: a node:http `ServerResponse`, a Fetch `Response` (with
 * mutable headers) or `Headers`.
 */
export type ResponseLike =
  | Headers
  | { headers: Headers }
  | { appendHeader(name: string, value: string | readonly string[]): unknown }
  | {
      getHeader(name: string): unknown
      setHeader(name: string, value: string | readonly string[]): unknown
    }

function headerGetter(req: RequestLike): (name: string) => string | undefined {
  const headers = 'headers' in req ? req.headers : req
  if (typeof (headers as Headers).get === 'function') {
    return (name) => (headers as Headers).get(name) ?? undefined
  }
  if (headers && typeof headers === 'object') {
    return (name) => {
      const value = (headers as Record<string, string | string[] | undefined>)[name]
      return Array.isArray(value) ? value.join('; ') : value
    }
  }
  throw new UsageError(
    'ERR_INVALID_OPTION',
    'req has no headers: pass an IncomingMessage or Request',
  )
}

/** The request's `Cookie` header, or `undefined`. */
export function requestCookieHeader(req: RequestLike): string | undefined {
  return headerGetter(req)('cookie')
}

/** The request's `User-Agent` header, or `undefined`. */
export function requestUserAgent(req: RequestLike): string | undefined {
  return headerGetter(req)('user-agent')
}

/**
 * The cache headers of a response that sets a session cookie: a shared cache must neither store it
 * nor serve it to another user (reliability.md C7), so `Cookie` joins `Vary` (merged with the
 * app's fields, unless already there or `*`) and `Cache-Control` becomes `no-store`, unless the
 * app's own value already keeps shared caches out (`no-store`, or a bare `private`). The cookie
 * wins over an app's `public`, `max-age`, `s-maxage` or `no-cache`: such a value is replaced by
 * `no-store` and `cacheControlOverridden` says so. Returns only the headers to change.
 */
export function privateCacheHeaders(current: {
  cacheControl: string | undefined
  vary: string | undefined
}): { cacheControl?: string; vary?: string; cacheControlOverridden?: boolean } {
  const out: { cacheControl?: string; vary?: string; cacheControlOverridden?: boolean } = {}
  const directives = (current.cacheControl ?? '')
    .split(',')
    .map((directive) => directive.trim().toLowerCase())
    .filter(Boolean)
  // `private="set-cookie"` (with field names) still lets a shared cache store the rest: not enough.
  if (!directives.includes('no-store') && !directives.includes('private')) {
    out.cacheControl = 'no-store'
    if (directives.length > 0) out.cacheControlOverridden = true
  }
  const fields = (current.vary ?? '')
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter(Boolean)
  if (!fields.includes('cookie') && !fields.includes('*')) {
    out.vary = current.vary?.trim() ? `${current.vary}, Cookie` : 'Cookie'
  }
  return out
}

/** A header value as one string (node:http may hold a number or a list). */
export function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return Array.isArray(value) ? value.join(', ') : String(value)
}

/** Reads and writes one response's headers, whatever its shape; `undefined` when it cannot. */
function headerAccess(
  res: ResponseLike,
): { get(name: string): string | undefined; set(name: string, value: string): void } | undefined {
  const headers = res instanceof Headers ? res : 'headers' in res ? res.headers : undefined
  if (headers instanceof Headers) {
    return { get: (name) => headers.get(name) ?? undefined, set: (n, v) => headers.set(n, v) }
  }
  if ('getHeader' in res && typeof res.getHeader === 'function' && 'setHeader' in res) {
    // A node:http response whose headers are gone can carry nothing more.
    if ((res as { headersSent?: boolean }).headersSent === true) return undefined
    return { get: (name) => headerText(res.getHeader(name)), set: (n, v) => res.setHeader(n, v) }
  }
  return undefined
}

/**
 * Adds the cache headers of {@link privateCacheHeaders} to `res` when it can still take them (a
 * `Headers`, a `Response`, a node:http response whose headers are not sent). Returns whether the
 * app's `Cache-Control` was overridden.
 */
export function addPrivateCacheHeaders(res: ResponseLike): boolean {
  const access = headerAccess(res)
  if (access === undefined) return false
  const change = privateCacheHeaders({
    cacheControl: access.get('cache-control'),
    vary: access.get('vary'),
  })
  if (change.cacheControl) access.set('cache-control', change.cacheControl)
  if (change.vary) access.set('vary', change.vary)
  return change.cacheControlOverridden === true
}

/** Appends one `Set-Cookie` header and keeps those already set (other cookies, other sessions). */
export function appendSetCookie(res: ResponseLike, setCookie: string): void {
  if (res instanceof Headers) {
    res.append('set-cookie', setCookie)
    return
  }
  if ('headers' in res && res.headers instanceof Headers) {
    res.headers.append('set-cookie', setCookie)
    return
  }
  if ('appendHeader' in res && typeof res.appendHeader === 'function') {
    res.appendHeader('set-cookie', setCookie)
    return
  }
  if ('setHeader' in res && typeof res.setHeader === 'function') {
    const previous = res.getHeader('set-cookie')
    const list =
      previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)]
    res.setHeader('set-cookie', [...list, setCookie])
    return
  }
  throw new UsageError('ERR_INVALID_OPTION', 'res cannot take a Set-Cookie header')
}
