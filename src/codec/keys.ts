/**
 * @module Key material: what callers may pass as a key, how it becomes bytes, and fresh random keys.
 */

import { randomFillSync } from 'node:crypto'
import { InternalError, UsageError } from '../errors.ts'

/**
 * A key as the caller holds it. A string stands for its UTF-8 bytes, as Go's `[]byte("...")`, so
 * the same text configured in a Go and a Node service gives the same key.
 */
export type KeyMaterial = Uint8Array | string

const utf8 = new TextEncoder()

/** The bytes of a key, copied so that a caller reusing its buffer cannot change our key later. */
function toBytes(key: KeyMaterial): Uint8Array {
  return typeof key === 'string' ? utf8.encode(key) : new Uint8Array(key)
}

function isKeyMaterial(key: unknown): key is KeyMaterial {
  return typeof key === 'string' || key instanceof Uint8Array
}

/**
 * Checks and copies an HMAC key. Any non-empty length is accepted, as in Go; 32 or 64 random bytes
 * are recommended. An empty key is refused, as securecookie v1.1.2 does (v1.1.1 silently signed
 * with an empty key).
 *
 * @throws {UsageError} `ERR_HASH_KEY_NOT_SET` when the key is missing, empty or not a key type.
 */
export function hashKeyBytes(key: unknown): Uint8Array {
  if (!isKeyMaterial(key)) throw new UsageError('ERR_HASH_KEY_NOT_SET', 'hash key is not set')
  const bytes = toBytes(key)
  if (bytes.length === 0) throw new UsageError('ERR_HASH_KEY_NOT_SET', 'hash key is not set')
  return bytes
}

/**
 * Checks and copies an AES key. `null` and `undefined` mean "no encryption", as a nil block key in
 * Go; anything else must be 16, 24 or 32 bytes (AES-128, -192, -256), an empty key included.
 *
 * @throws {UsageError} `ERR_BLOCK_KEY_INVALID` for any other length or type.
 */
export function blockKeyBytes(key: unknown): Uint8Array | null {
  if (key === null || key === undefined) return null
  if (!isKeyMaterial(key)) {
    throw new UsageError('ERR_BLOCK_KEY_INVALID', 'block key must be a Uint8Array or a string')
  }
  const bytes = toBytes(key)
  if (bytes.length !== 16 && bytes.length !== 24 && bytes.length !== 32) {
    throw new UsageError(
      'ERR_BLOCK_KEY_INVALID',
      `invalid block key size ${bytes.length}: AES needs 16, 24 or 32 bytes`,
    )
  }
  return bytes
}

/**
 * Returns `length` bytes from the operating system's CSPRNG, as Go's `GenerateRandomKey`. Use 32 or
 * 64 for a hash key and 32 for an AES-256 block key. Keys are not stored anywhere: persist them
 * yourself, or every restart logs everyone out.
 *
 * @example
 * ```ts
 * const codec = new SecureCookie(generateRandomKey(64), generateRandomKey(32))
 * ```
 * @throws {UsageError} `ERR_INVALID_OPTION` when `length` is not a non-negative safe integer.
 * @throws {InternalError} `ERR_RANDOM_FAILED` when the random source fails (Go returns nil instead).
 */
export function generateRandomKey(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new UsageError('ERR_INVALID_OPTION', 'key length must be a non-negative integer')
  }
  try {
    return randomFillSync(new Uint8Array(length))
  } catch (cause) {
    throw new InternalError('ERR_RANDOM_FAILED', 'failed to generate a random key', { cause })
  }
}
