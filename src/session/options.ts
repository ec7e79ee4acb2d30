/**
 * @module Cookie options of a session, their secure defaults, and their validation.
 */
import { UsageError } from '../errors.ts'

/** The `SameSite` attribute; `false` leaves it out (the browser default, Lax in modern browsers). */
export type SameSite = 'lax' | 'strict' | 'none' | false

/**
 * The cookie attributes of a session (gorilla/sessions `Options`). Each session gets its own copy of
 * the store's options, so changing one session never changes another.
 */
export interface CookieOptions {
  /** Cookie path. Default `'/'`. */
  path: string
  /** Cookie domain. Default: none (host-only cookie). */
  domain?: string | undefined
  /**
   * Lifetime in seconds. `> 0`: the cookie and the row live this long after each write.
   * `0`: a browser-session cookie (no Max-Age); the server keeps the store's lifetime.
   * `< 0`: delete the session now. Default `2592000` (30 days, as Go).
   */
  maxAge: number
  /** Send only over HTTPS. Default `true` (Go: false). Set `false` for plain-http localhost. */
  secure: boolean
  /** Hide from JavaScript. Default `true` (Go: false). */
  httpOnly: boolean
  /** Default `'lax'` (Go: not sent). `'none'` requires `secure`. */
  sameSite: SameSite
  /** CHIPS partitioned cookie. Default `false`. `true` requires `secure`. */
  partitioned: boolean
}

/** pgstore's defaults: Go's path and lifetime, with HttpOnly, Secure and SameSite=Lax added. */
export const defaultCookieOptions: Readonly<CookieOptions> = Object.freeze({
  path: '/',
  maxAge: 86400 * 30,
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  partitioned: false,
})

// RFC 6265 §4.1.1: a cookie name is an HTTP token.
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Attribute values must not break out of their attribute (CVE-2024-47764 class).
const attributePattern = /^[\x21-\x3a\x3c-\x7e]+$/

/** True when `name` may be used as a cookie name (an RFC 6265 token). */
export function isCookieNameValid(name: string): boolean {
  return tokenPattern.test(name)
}

/** Throws `ERR_INVALID_COOKIE_NAME` unless `name` is an RFC 6265 token. */
export function assertCookieName(name: string): void {
  if (typeof name !== 'string' || !tokenPattern.test(name)) {
    throw new UsageError(
      'ERR_INVALID_COOKIE_NAME',
      'invalid character in cookie name: a session name must be an RFC 6265 token',
    )
  }
}

/** Merges `overrides` onto the defaults and validates the result (`ERR_INVALID_OPTION`). */
export function resolveCookieOptions(overrides: Partial<CookieOptions> = {}): CookieOptions {
  const options: CookieOptions = { ...defaultCookieOptions }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value
  }
  validateCookieOptions(options)
  return options
}

/**
 * Checks options that would produce a broken or unsafe cookie. `name` adds the `__Host-` and
 * `__Secure-` prefix rules, matched case-insensitively as browsers match them (`__host-sid` is a
 * `__Host-` cookie to a browser, so it must follow the same rules or be refused).
 */
export function validateCookieOptions(options: CookieOptions, name?: string): void {
  const fail = (what: string): never => {
    throw new UsageError('ERR_INVALID_OPTION', `invalid cookie option: ${what}`)
  }
  if (!Number.isSafeInteger(options.maxAge)) fail('maxAge must be an integer number of seconds')
  if (typeof options.path !== 'string' || !attributePattern.test(options.path)) {
    fail('path must be non-empty printable ASCII without ";"')
  }
  if (options.domain !== undefined && options.domain !== '') {
    if (!attributePattern.test(options.domain)) fail('domain must be printable ASCII without ";"')
  }
  if (!['lax', 'strict', 'none', false].includes(options.sameSite)) {
    fail("sameSite must be 'lax', 'strict', 'none' or false")
  }
  if (options.sameSite === 'none' && !options.secure) fail("sameSite 'none' requires secure")
  if (options.partitioned && !options.secure) fail('partitioned requires secure')
  const prefix = name?.slice(0, 9).toLowerCase()
  if (prefix === '__secure-' && !options.secure) fail('a __Secure- cookie requires secure')
  if (prefix?.startsWith('__host-')) {
    if (!options.secure || options.path !== '/' || options.domain) {
      fail('a __Host- cookie requires secure, path "/" and no domain')
    }
  }
}
