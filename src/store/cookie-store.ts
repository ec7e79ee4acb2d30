/**
 * @module CookieStore: the whole session in the cookie itself, signed and optionally encrypted
 * (gorilla/sessions `CookieStore`). No database; values are limited by the 4096-byte cookie.
 */
import type { SecureCookie, Serializer } from '../codec/index.ts'
import { decodeMulti, encodeMulti, jsonSerializer } from '../codec/index.ts'
import { DecodeError, type PgStoreError } from '../errors.ts'
import { readCookie, renderSetCookie } from '../session/cookie-header.ts'
import {
  assertCookieName,
  type CookieOptions,
  resolveCookieOptions,
  validateCookieOptions,
} from '../session/options.ts'
import { Session, type SessionValues } from '../session/session.ts'
import { StoreEventEmitter } from './events.ts'
import { type StoreKeyPairs, storeCodecs } from './key-pairs.ts'
import { RequestStore } from './store.ts'

/** CookieStore options. */
export interface CookieStoreOptions {
  /** Cookie options for new sessions. Defaults: see `defaultCookieOptions`. */
  cookie?: Partial<CookieOptions> | undefined
  /** Default `jsonSerializer`; `gobSerializer` to share cookies with Go. */
  serializer?: Serializer | undefined
  /** Clock for cookie timestamps, in milliseconds. Default `Date.now`. */
  now?: (() => number) | undefined
  /** Random source for IVs. Default `crypto.randomBytes`. */
  randomBytes?: ((length: number) => Uint8Array) | undefined
}

/**
 * Sessions kept entirely in the cookie. The cookie's signed timestamp is its expiry: a cookie older
 * than `maxAge` no longer decodes. Every save re-sends the cookie, as in Go.
 *
 * @example
 * ```ts
 * const store = new CookieStore([hashKey, blockKey], { cookie: { maxAge: 3600 } })
 * ```
 */
export class CookieStore extends RequestStore {
  /** The codecs, newest key pair first. */
  readonly codecs: SecureCookie[]
  /** Cookie options every new session copies. */
  readonly options: CookieOptions
  /** Typed events; see `StoreEvents`. */
  readonly events: StoreEventEmitter = new StoreEventEmitter()
  readonly #now: () => number

  constructor(keyPairs: StoreKeyPairs, options: CookieStoreOptions = {}) {
    super()
    this.options = resolveCookieOptions(options.cookie)
    this.#now = options.now ?? Date.now
    this.codecs = storeCodecs('CookieStore', keyPairs, {
      now: this.#now,
      ...(options.randomBytes ? { randomBytes: options.randomBytes } : {}),
    })
    for (const codec of this.codecs) {
      codec
        .setSerializer(options.serializer ?? jsonSerializer)
        .maxAge(Math.max(this.options.maxAge, 0))
    }
  }

  /** Sets the default cookie lifetime and the codecs' timestamp window (Go's `MaxAge`). */
  maxAge(age: number): void {
    this.options.maxAge = age
    for (const codec of this.codecs) codec.maxAge(Math.max(age, 0))
  }

  async load<V extends object = SessionValues>(
    cookieHeader: string | null | undefined,
    name: string,
  ): Promise<Session<V>> {
    assertCookieName(name)
    const session = new Session<V>(this, name, this.options)
    const cookie = readCookie(cookieHeader, name)
    if (cookie === undefined) {
      this.events.notify('miss', { name, reason: 'no-cookie' })
      return session
    }
    try {
      const values = decodeMulti(name, cookie, this.codecs)
      if (values === null || typeof values !== 'object' || Array.isArray(values)) {
        throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'the cookie does not hold session values')
      }
      session.values = Object.assign(Object.create(null), values) as Partial<V>
      session.isNew = false
      this.events.notify('loaded', { name })
    } catch (error) {
      if ((error as PgStoreError)?.kind !== 'decode') throw error
      session.error = error as PgStoreError
      this.events.notify('decodeFailed', { name, code: session.error.code })
    }
    return session
  }

  async commit(session: Session<SessionValues>): Promise<string | undefined> {
    validateCookieOptions(session.options, session.name)
    if (session.options.maxAge < 0) {
      return renderSetCookie(session.name, '', session.options, this.#now())
    }
    if (session.isNew && Object.keys(session.values).length === 0) return undefined
    const value = encodeMulti(session.name, session.values, this.codecs)
    session.isNew = false
    return renderSetCookie(session.name, value, session.options, this.#now())
  }
}
