/**
 * @module SecureCookie: gorilla/securecookie v1.1.1 in TypeScript, byte for byte.
 *
 * `encode` produces `base64url(ts "|" base64url([IV] AES-CTR(serialize(v))) "|" mac)` where `mac` is
 * HMAC-SHA256(hashKey, `name "|" ts "|" base64url(...)`) as 32 raw bytes and `ts` is Unix seconds in
 * decimal. Both base64url layers are padded. A Go service with the same keys and serializer reads
 * what this writes and the other way round.
 *
 * Differences from Go, all deliberate: configuration errors throw at construction instead of
 * sticking to the codec; an empty hash key is refused (as v1.1.2); the decoder accepts only the
 * canonical base64url spelling (Go ignores stray bits in the last character and skips CR/LF); the
 * bytes serializer never encrypts the caller's buffer in place.
 */

import { Buffer } from 'node:buffer'
import { createSecretKey, timingSafeEqual } from 'node:crypto'
import { DecodeError, InternalError, UsageError } from '../errors.ts'
import { AesCtr } from './aes-ctr.ts'
import { decodeBase64Url, decodeBase64UrlBytes, encodeBase64Url } from './base64url.ts'
import type { Codec, DecodeOverrides } from './codec.ts'
import { HmacSha256 } from './hmac.ts'
import { jsonSerializer } from './json-serializer.ts'
import { blockKeyBytes, hashKeyBytes, type KeyMaterial } from './keys.ts'
import { pooledRandomBytes } from './random.ts'
import { deserializeWith, type Serializer, serializeWith } from './serializer.ts'
import { parseTimestamp } from './timestamp.ts'

/** Injected clock and randomness, for tests and for reproducing Go's vectors. */
export interface CodecOptions {
  /** The current time in milliseconds. Default: `Date.now`. */
  now?: (() => number) | undefined
  /**
   * `n` cryptographically random bytes, used for the AES IV. Default: the OS CSPRNG
   * (`crypto.randomFillSync`), drawn 4 KiB at a time.
   */
  randomBytes?: ((n: number) => Uint8Array) | undefined
}

/** What {@link SecureCookie.open} returns: the serialized bytes and the signed Unix timestamp. */
export interface Opened {
  bytes: Uint8Array
  timestamp: number
}

/** The limits a codec enforces, in seconds and characters; `0` means "no limit". */
export interface CodecLimits {
  readonly maxAge: number
  readonly minAge: number
  readonly maxLength: number
}

const DEFAULT_MAX_AGE = 86400 * 30
const DEFAULT_MAX_LENGTH = 4096
const IV_LENGTH = 16
const MAC_LENGTH = 32
const PIPE = 0x7c

function nonNegativeInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UsageError('ERR_INVALID_OPTION', `${what} must be a non-negative integer`)
  }
  return value
}

const macInvalid = (): DecodeError =>
  new DecodeError('ERR_COOKIE_MAC_INVALID', 'the value is not valid')
const base64Failed = (): DecodeError => new DecodeError('ERR_COOKIE_BASE64', 'base64 decode failed')
const nameNotString = (): UsageError =>
  new UsageError('ERR_INVALID_COOKIE_NAME', 'name must be a string')

/**
 * Encodes and decodes authenticated, optionally encrypted cookie values, wire-compatible with
 * gorilla/securecookie v1.1.1 (`securecookie.New(hashKey, blockKey)`).
 *
 * Defaults: `maxAge` 2592000 s (30 days), `minAge` 0, `maxLength` 4096, serializer
 * {@link jsonSerializer} (Go's default is gob; use the gob serializer to share values with Go's
 * `sessions.Values`).
 *
 * @example
 * ```ts
 * const codec = new SecureCookie(hashKey64, blockKey32).maxAge(3600)
 * const cookie = codec.encode('sid', { user: 42 })
 * codec.decode<{ user: number }>('sid', cookie) // { user: 42 }
 * ```
 */
export class SecureCookie implements Codec {
  readonly #hmac: HmacSha256
  readonly #blockKey: AesCtr | null
  readonly #now: () => number
  readonly #randomBytes: (n: number) => Uint8Array
  #maxAge = DEFAULT_MAX_AGE
  #minAge = 0
  #maxLength = DEFAULT_MAX_LENGTH
  #serializer: Serializer = jsonSerializer

  /**
   * @param hashKey HMAC-SHA256 key, required and non-empty; 32 or 64 random bytes recommended.
   * @param blockKey AES key of 16, 24 or 32 bytes, or `null`/omitted for signing without
   *   encryption. Default: none.
   * @param options Injected clock and random source. Default: `Date.now` and the OS CSPRNG.
   * @throws {UsageError} `ERR_HASH_KEY_NOT_SET`, `ERR_BLOCK_KEY_INVALID` or `ERR_INVALID_OPTION`.
   */
  constructor(hashKey: KeyMaterial, blockKey?: KeyMaterial | null, options?: CodecOptions) {
    this.#hmac = new HmacSha256(hashKeyBytes(hashKey))
    const block = blockKeyBytes(blockKey)
    this.#blockKey = block === null ? null : new AesCtr(createSecretKey(block), block.length * 8)
    const now = options?.now ?? Date.now
    const random = options?.randomBytes ?? pooledRandomBytes
    if (typeof now !== 'function' || typeof random !== 'function') {
      throw new UsageError('ERR_INVALID_OPTION', 'now and randomBytes must be functions')
    }
    this.#now = now
    this.#randomBytes = random
  }

  /** Maximum age in seconds of a decoded value's timestamp; `0` turns the check off. Default 2592000. */
  maxAge(seconds: number): this {
    this.#maxAge = nonNegativeInteger(seconds, 'maxAge')
    return this
  }

  /** Minimum age in seconds of a decoded value's timestamp. Default 0 (no minimum). */
  minAge(seconds: number): this {
    this.#minAge = nonNegativeInteger(seconds, 'minAge')
    return this
  }

  /** Maximum length of an encoded value, checked on encode and on decode; `0` = none. Default 4096. */
  maxLength(n: number): this {
    this.#maxLength = nonNegativeInteger(n, 'maxLength')
    return this
  }

  /** How values become bytes. Default {@link jsonSerializer}. */
  setSerializer(serializer: Serializer): this {
    if (
      typeof serializer?.serialize !== 'function' ||
      typeof serializer.deserialize !== 'function'
    ) {
      throw new UsageError('ERR_INVALID_OPTION', 'serializer must have serialize and deserialize')
    }
    this.#serializer = serializer
    return this
  }

  /** The serializer in use. */
  get serializer(): Serializer {
    return this.#serializer
  }

  /** Whether values are encrypted (a block key was given) and not only signed. */
  get encrypted(): boolean {
    return this.#blockKey !== null
  }

  /** The current `maxAge`, `minAge` and `maxLength`. */
  get limits(): CodecLimits {
    return { maxAge: this.#maxAge, minAge: this.#minAge, maxLength: this.#maxLength }
  }

  /**
   * Serializes, encrypts (with a block key), timestamps and signs `value` for the cookie `name`.
   * The name is part of the MAC: the result decodes under this name only.
   *
   * @throws {UsageError} `ERR_SERIALIZE` for a value the serializer cannot write,
   *   `ERR_VALUE_TOO_LONG` when the result exceeds `maxLength`.
   * @throws {InternalError} `ERR_RANDOM_FAILED` when no IV could be drawn.
   */
  encode(name: string, value: unknown): string {
    if (typeof name !== 'string') throw nameNotString()
    // 1. Serialize.
    return this.seal(name, serializeWith(this.#serializer, value))
  }

  /**
   * `encode` for bytes already serialized with this codec's serializer: encrypts (with a block
   * key), timestamps and signs them. The store uses it to serialize values only once per save.
   *
   * @throws {UsageError} `ERR_VALUE_TOO_LONG` when the result exceeds `maxLength`.
   * @throws {InternalError} `ERR_RANDOM_FAILED` when no IV could be drawn.
   */
  seal(name: string, serialized: Uint8Array): string {
    if (typeof name !== 'string') throw nameNotString()
    let bytes = serialized
    // 2. Encrypt: payload = IV || AES-CTR(blockKey, IV, bytes).
    if (this.#blockKey !== null) bytes = this.#encrypt(this.#blockKey, bytes)
    // 3. Encode the payload to base64url.
    const payload = encodeBase64Url(bytes)
    // 4. MAC "name|timestamp|payload".
    const signed = `${this.#seconds()}|${payload}`
    const outer = Buffer.allocUnsafe(signed.length + 1 + MAC_LENGTH)
    outer.write(signed, 0, 'latin1')
    outer[signed.length] = PIPE
    const mac = this.#hmac.digest(`${name}|`, outer.subarray(0, signed.length))
    // 5. Join "timestamp|payload|mac" and encode to base64url.
    mac.copy(outer, signed.length + 1)
    const encoded = encodeBase64Url(outer)
    // 6. Check length.
    if (this.#maxLength !== 0 && encoded.length > this.#maxLength) {
      throw new UsageError('ERR_VALUE_TOO_LONG', 'the value is too long')
    }
    return encoded
  }

  /**
   * Verifies and opens a value made by `encode` (here or in Go) for the cookie `name`. The MAC is
   * checked before anything is decrypted or parsed, and every failure is a `DecodeError`: treat it
   * as "no value".
   *
   * @param overrides `maxAge` for this call only. Default: the codec's settings.
   * @throws {DecodeError} `ERR_COOKIE_TOO_LONG`, `ERR_COOKIE_BASE64`, `ERR_COOKIE_MAC_INVALID`,
   *   `ERR_COOKIE_TIMESTAMP`, `ERR_COOKIE_TOO_NEW`, `ERR_COOKIE_EXPIRED`, `ERR_COOKIE_DECRYPT` or
   *   `ERR_COOKIE_DESERIALIZE`, checked in that order (Go's order).
   * @throws {UsageError} for a non-string name or value, or a bad override.
   */
  decode<T = unknown>(name: string, value: string, overrides?: DecodeOverrides): T {
    // 8. Deserialize.
    return deserializeWith(this.#serializer, this.open(name, value, overrides).bytes) as T
  }

  /**
   * `decode` without the last step: verifies, checks the age window and decrypts, then returns the
   * serialized bytes and the signed timestamp (Unix seconds). The store keeps the bytes to tell
   * whether a save changed anything, and the timestamp to know when the cookie was last sent.
   *
   * @throws {DecodeError} as `decode`, except `ERR_COOKIE_DESERIALIZE`.
   */
  open(name: string, value: string, overrides?: DecodeOverrides): Opened {
    if (typeof name !== 'string') throw nameNotString()
    if (typeof value !== 'string') {
      throw new UsageError('ERR_INVALID_OPTION', 'value must be a string')
    }
    const maxAge =
      overrides?.maxAge === undefined
        ? this.#maxAge
        : nonNegativeInteger(overrides.maxAge, 'maxAge')
    // 1. Check length, in UTF-8 bytes as Go's len(), before any work.
    const max = this.#maxLength
    if (
      max !== 0 &&
      (value.length > max || (value.length * 3 > max && Buffer.byteLength(value) > max))
    ) {
      throw new DecodeError('ERR_COOKIE_TOO_LONG', 'the value is too long')
    }
    // 2. Decode from base64url.
    const outer = decodeBase64Url(value)
    if (outer === null) throw base64Failed()
    // 3. Split "timestamp|payload|mac" on the first two pipes: the MAC bytes may hold more.
    const pipe1 = outer.indexOf(PIPE)
    const pipe2 = pipe1 < 0 ? -1 : outer.indexOf(PIPE, pipe1 + 1)
    if (pipe2 < 0) throw macInvalid()
    // 4. Verify the MAC over "name|timestamp|payload" in constant time.
    const mac = outer.subarray(pipe2 + 1)
    const expected = this.#hmac.digest(`${name}|`, outer.subarray(0, pipe2))
    if (mac.length !== MAC_LENGTH || !timingSafeEqual(mac, expected)) throw macInvalid()
    // 5. Verify the timestamp and the age window; both comparisons are strict, as in Go.
    const ts = parseTimestamp(outer.subarray(0, pipe1))
    if (ts === null) throw new DecodeError('ERR_COOKIE_TIMESTAMP', 'invalid timestamp')
    if (this.#minAge !== 0 || maxAge !== 0) {
      const now = this.#seconds()
      if (this.#minAge !== 0 && ts > now - this.#minAge) {
        throw new DecodeError('ERR_COOKIE_TOO_NEW', 'timestamp is too new')
      }
      if (maxAge !== 0 && ts < now - maxAge) {
        throw new DecodeError('ERR_COOKIE_EXPIRED', 'expired timestamp')
      }
    }
    // 6. Decode the payload from base64url.
    let bytes = decodeBase64UrlBytes(outer.subarray(pipe1 + 1, pipe2))
    if (bytes === null) throw base64Failed()
    // 7. Decrypt: the first 16 bytes are the IV.
    if (this.#blockKey !== null) bytes = this.#decrypt(this.#blockKey, bytes)
    return { bytes, timestamp: ts }
  }

  #seconds(): number {
    const ms = this.#now()
    if (!Number.isFinite(ms)) throw new InternalError('ERR_INTERNAL', 'the clock returned no time')
    return Math.floor(ms / 1000)
  }

  #encrypt(key: AesCtr, plain: Uint8Array): Uint8Array {
    let iv: unknown
    try {
      iv = this.#randomBytes(IV_LENGTH)
    } catch (cause) {
      throw new InternalError('ERR_RANDOM_FAILED', 'failed to generate random iv', { cause })
    }
    if (!(iv instanceof Uint8Array) || iv.length !== IV_LENGTH) {
      throw new InternalError('ERR_RANDOM_FAILED', 'failed to generate random iv')
    }
    // CTR is a stream mode: no padding.
    const ciphertext = key.apply(iv, plain)
    const payload = Buffer.allocUnsafe(IV_LENGTH + ciphertext.length)
    payload.set(iv, 0)
    payload.set(ciphertext, IV_LENGTH)
    return payload
  }

  #decrypt(key: AesCtr, payload: Uint8Array): Uint8Array {
    if (payload.length <= IV_LENGTH) {
      throw new DecodeError('ERR_COOKIE_DECRYPT', 'the value could not be decrypted')
    }
    const iv = payload.subarray(0, IV_LENGTH)
    return key.apply(iv, payload.subarray(IV_LENGTH))
  }
}
