/**
 * @module Padded base64url (RFC 4648 §5), as Go's `base64.URLEncoding`, with a strict decoder.
 *
 * Node's own decoder is lenient: it skips characters outside the alphabet, accepts both alphabets
 * and ignores missing or extra padding (nodejs/node#8569). A cookie that decodes to the same bytes
 * from several spellings would let a tamperer change the text without changing the MAC input, so
 * the decoder accepts exactly one spelling per byte string.
 */

import { Buffer } from 'node:buffer'

/**
 * Encodes bytes as padded base64url (alphabet `A-Za-z0-9-_`, `=` padding), as Go's
 * `base64.URLEncoding.EncodeToString`.
 *
 * @example
 * ```ts
 * encodeBase64Url(new TextEncoder().encode('foo')) // 'Zm9v'
 * encodeBase64Url(new Uint8Array([0xff]))           // '_w=='
 * ```
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
  const rest = text.length % 4
  return rest === 0 ? text : rest === 2 ? `${text}==` : `${text}=`
}

/**
 * Decodes padded base64url, accepting only the canonical spelling: the URL alphabet, padding to a
 * multiple of 4, and zero bits after the data. Returns `null` for anything else, so the caller
 * picks the error to throw.
 *
 * @example
 * ```ts
 * decodeBase64Url('Zm9v') // Uint8Array 'foo'
 * decodeBase64Url('Zm9')  // null: not padded
 * decodeBase64Url('Zm9=') // null: trailing bits set
 * ```
 */
export function decodeBase64Url(text: string): Uint8Array | null {
  // Node skips what it cannot read, so decode leniently and keep the result only if re-encoding
  // it gives the input back: then the input is the one canonical spelling of these bytes. This
  // also rejects the CR and LF that Go skips (they cannot occur in a cookie header) and stray bits
  // in the last character, which Go's non-strict decoder ignores.
  const bytes = Buffer.from(text, 'base64url')
  return encodeBase64Url(bytes) === text ? bytes : null
}

/**
 * Like {@link decodeBase64Url}, for text held as bytes (the payload inside a decoded cookie). Bytes
 * outside ASCII map to characters outside the alphabet and are rejected.
 */
export function decodeBase64UrlBytes(bytes: Uint8Array): Uint8Array | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  return decodeBase64Url(text)
}
