/**
 * @module Reading a `Cookie` header and writing a `Set-Cookie` header, through the `cookie` package.
 */
import { parse, serialize } from 'cookie'
import type { CookieOptions } from './options.ts'

// Our values are base64url with '=' padding: legal cookie octets, so they travel unescaped, as Go
// sends them. Percent-decoding would let two spellings of one cookie verify.
const verbatim = (value: string): string => value

/**
 * The value of cookie `name` in a `Cookie` header, or `undefined`. With duplicates
 * (`sid=A; sid=B`), the first one wins: browsers list the most specific path first.
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined
  return parse(header, { decode: verbatim })[name]
}

/**
 * The `Set-Cookie` header for `name=value` (gorilla/sessions `NewCookie`): `maxAge > 0` sets
 * Max-Age and Expires; `maxAge < 0` expires the cookie now (Expires at Unix second 1, Max-Age=0);
 * `0` sends neither, making a browser-session cookie.
 */
export function renderSetCookie(
  name: string,
  value: string,
  options: CookieOptions,
  nowMs: number = Date.now(),
): string {
  const expiry =
    options.maxAge > 0
      ? { maxAge: options.maxAge, expires: new Date(nowMs + options.maxAge * 1000) }
      : options.maxAge < 0
        ? { maxAge: 0, expires: new Date(1000) }
        : {}
  return serialize(name, value, {
    encode: verbatim,
    path: options.path,
    // RFC 6265 §5.2.3: a leading dot is ignored; Go drops it too.
    ...(options.domain ? { domain: options.domain.replace(/^\./, '') } : {}),
    ...expiry,
    httpOnly: options.httpOnly,
    secure: options.secure,
    partitioned: options.partitioned,
    ...(options.sameSite ? { sameSite: options.sameSite } : {}),
  })
}
