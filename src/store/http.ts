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
