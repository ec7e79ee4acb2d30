/**
 * @module The session cookie: verifying one the browser sent (remembering the result) and issuing
 * one.
 *
 * A browser sends the same cookie on every request, and a verified string verifies again, so
 * results are kept for the last {@link cookieCacheSize} distinct cookies: a repeat costs a map
 * lookup instead of an HMAC, a decryption and a parse. Only cookies that verified are kept, so
 * garbage cannot fill it.
 */
import type { SecureCookie, Serializer } from '../codec/index.ts'
import { deserializeWith, openMulti, sealMulti, serializeWith } from '../codec/index.ts'
import { DecodeError } from '../errors.ts'
import { sessionIdPattern } from '../session/id.ts'
import { noTimestampCheck } from './row-values.ts'

/** How many verified cookies a store remembers (about 300 bytes each). */
const cookieCacheSize = 10_000

/** A verified session cookie: the id, when it was signed, and whether an older key signed it. */
export interface OpenedCookie {
  readonly id: string
  readonly signedAt: number
  readonly oldKey: boolean
}

/** Opens and seals session cookies for one store, remembering the ones it has seen verified. */
export class CookieCache {
  readonly #codecs: SecureCookie[]
  readonly #serializer: Serializer
  readonly #now: () => number
  readonly #known = new Map<string, OpenedCookie>()

  constructor(codecs: SecureCookie[], serializer: Serializer, now: () => number) {
    this.#codecs = codecs
    this.#serializer = serializer
    this.#now = now
  }

  /** Verifies cookie `name` and reads its id; throws `DecodeError` when it is not ours. */
  open(name: string, cookie: string): OpenedCookie {
    const key = `${name}=${cookie}`
    const cached = this.#known.get(key)
    if (cached) return cached
    const opened = openMulti(name, cookie, this.#codecs, noTimestampCheck)
    const id = deserializeWith(this.#serializer, opened.bytes)
    if (typeof id !== 'string' || !sessionIdPattern.test(id)) {
      throw new DecodeError('ERR_COOKIE_INVALID_ID', 'the cookie does not hold a session id')
    }
    return this.#remember(key, { id, signedAt: opened.timestamp, oldKey: opened.codec > 0 })
  }

  /** Seals `id` under the current key pair; returns the value and when it was signed (seconds). */
  seal(name: string, id: string): { value: string; signedAt: number } {
    const value = sealMulti(name, serializeWith(this.#serializer, id), this.#codecs)
    const signedAt = Math.floor(this.#now() / 1000)
    // The browser sends this value back next: it needs no verification then.
    this.#remember(`${name}=${value}`, { id, signedAt, oldKey: false })
    return { value, signedAt }
  }

  #remember(key: string, cookie: OpenedCookie): OpenedCookie {
    if (this.#known.size >= cookieCacheSize) {
      this.#known.delete(this.#known.keys().next().value as string)
    }
    this.#known.set(key, cookie)
    return cookie
  }
}
