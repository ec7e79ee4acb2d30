/**
 * @module Raw bytes, no serialization: Go's `securecookie.NopEncoder`.
 */

import { UsageError } from '../errors.ts'
import type { Serializer } from './serializer.ts'

/**
 * Passes a `Uint8Array` through unchanged, as Go's `NopEncoder`. Both directions return a copy: Go's
 * `NopEncoder` hands the caller's own slice to the cipher, which then encrypts the caller's buffer
 * in place (securecookie v1.1.1); here the caller's bytes are never touched, and the bytes returned
 * by `decode` are the caller's to keep.
 *
 * @example
 * ```ts
 * const codec = new SecureCookie(hashKey).setSerializer(bytesSerializer)
 * const bytes = codec.decode<Uint8Array>('raw', codec.encode('raw', new Uint8Array([1, 2, 3])))
 * ```
 * @throws {UsageError} `ERR_SERIALIZE` ('value not a []byte.', Go's message) from `serialize` for
 * anything but a `Uint8Array` (a `Buffer` is one).
 */
export const bytesSerializer: Serializer = Object.freeze({
  name: 'bytes',
  serialize(value: unknown): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new UsageError('ERR_SERIALIZE', 'value not a []byte.')
    }
    return new Uint8Array(value)
  },
  deserialize(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(bytes)
  },
})
