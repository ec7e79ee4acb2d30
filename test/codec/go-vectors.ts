/**
 * Loads the vectors made by the real Go code (test/fixtures/gorilla-securecookie.json) and maps
 * Go's errors to our codes.
 */

import type { ErrorCode, ErrorKind } from '../../src/errors.ts'
import { readGoVectors } from '../fixtures/go-vectors-file.ts'

export interface KeySet {
  id: string
  hash_key_hex: string
  block_key_hex?: string
}

export interface GoError {
  message: string
  go_type: string
  is_usage: boolean
  is_decode: boolean
  is_internal: boolean
  multi_error_items?: string[]
}

export interface CodecSettings {
  serializer: 'gob' | 'json' | 'nop'
  max_age?: number
  min_age?: number
  max_length?: number
}

export interface FixedVector {
  id: string
  key_set: string
  serializer: 'gob' | 'json' | 'nop'
  name: string
  value: unknown
  timestamp: number
  iv_hex?: string
  serialized_hex: string
  encoded: string
}

export interface EncodeVector {
  id: string
  key_set: string
  codec: CodecSettings
  name: string
  value: unknown
  encoded: string
  made_at_unix: number
  dissected: { timestamp: string; payload_b64: string; mac_hex: string; serialized_hex: string }
}

export interface DecodeCase {
  id: string
  key_sets: string[]
  codec: CodecSettings
  name: string
  input: string
  call: 'Decode' | 'DecodeMulti'
  dst_go_type: string
  ok: boolean
  decoded?: unknown
  error?: GoError
  made_at_unix: number
}

export interface Vectors {
  key_sets: KeySet[]
  fixed_vectors: FixedVector[]
  encode_vectors: EncodeVector[]
  decode_cases: DecodeCase[]
  encode_errors: Array<{ id: string; description: string; call: string; error: GoError | null }>
  codecs_from_pairs: Array<{ codecs: string[]; n_args: number; n_codecs: number }>
  decode_multi_single_codec: { error: GoError }
  nop_encoder_in_place_mutation: { before_hex: string; after_hex: string; mutated: boolean }
}

export const vectors: Vectors = readGoVectors<Vectors>()

export function keySet(id: string): { hashKey: Uint8Array; blockKey: Uint8Array | null } {
  const set = vectors.key_sets.find((k) => k.id === id)
  if (set === undefined) throw new Error(`no key set ${id}`)
  return {
    hashKey: Buffer.from(set.hash_key_hex, 'hex'),
    blockKey: set.block_key_hex === undefined ? null : Buffer.from(set.block_key_hex, 'hex'),
  }
}

/** The vectors write a Go `[]byte` as `{ type: '[]byte(hex)', value: '<hex>' }`. */
export function goValue(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'type' in value && 'value' in value) {
    if (value.type === '[]byte(hex)') return new Uint8Array(Buffer.from(String(value.value), 'hex'))
  }
  return value
}

/**
 * Go's error (by message, and by flag where one message has two meanings) → our code. Each row is
 * a Go message prefix; the first match wins.
 */
const GO_MESSAGES: Array<[prefix: string, usage: ErrorCode, decode: ErrorCode]> = [
  ['securecookie: hash key is not set', 'ERR_HASH_KEY_NOT_SET', 'ERR_HASH_KEY_NOT_SET'],
  [
    'securecookie: error - caused by: crypto/aes: invalid key size',
    'ERR_BLOCK_KEY_INVALID',
    'ERR_BLOCK_KEY_INVALID',
  ],
  ['securecookie: no codecs provided', 'ERR_NO_CODECS', 'ERR_NO_CODECS'],
  ['securecookie: the value is too long', 'ERR_VALUE_TOO_LONG', 'ERR_COOKIE_TOO_LONG'],
  ['securecookie: base64 decode failed', 'ERR_COOKIE_BASE64', 'ERR_COOKIE_BASE64'],
  ['securecookie: the value is not valid', 'ERR_COOKIE_MAC_INVALID', 'ERR_COOKIE_MAC_INVALID'],
  ['securecookie: invalid timestamp', 'ERR_COOKIE_TIMESTAMP', 'ERR_COOKIE_TIMESTAMP'],
  ['securecookie: timestamp is too new', 'ERR_COOKIE_TOO_NEW', 'ERR_COOKIE_TOO_NEW'],
  ['securecookie: expired timestamp', 'ERR_COOKIE_EXPIRED', 'ERR_COOKIE_EXPIRED'],
  ['securecookie: the value could not be decrypted', 'ERR_COOKIE_DECRYPT', 'ERR_COOKIE_DECRYPT'],
  // Serializer failures: Go wraps them twice (or once for NopEncoder) in "error - caused by".
  ['securecookie: error - caused by: ', 'ERR_SERIALIZE', 'ERR_COOKIE_DESERIALIZE'],
]

/** Our code for a Go error; for a MultiError, the first item's (as our MultiError reports). */
export function goErrorCode(error: GoError): ErrorCode {
  const message = error.multi_error_items?.[0] ?? error.message
  for (const [prefix, usage, decode] of GO_MESSAGES) {
    if (message.startsWith(prefix)) return error.is_usage ? usage : decode
  }
  throw new Error(`no mapping for Go error ${JSON.stringify(message)}`)
}

export function goErrorKind(error: GoError): ErrorKind {
  if (error.is_internal) return 'internal'
  return error.is_decode ? 'decode' : 'usage'
}

/**
 * Go's error for a gob value that gob could not read (or write). Gob is out of scope for these
 * tests (src/codec/gob/ has its own), so cases whose outcome depends on gob are filtered out.
 */
export function isGobSerializerError(error: GoError | null | undefined): boolean {
  return error?.message.startsWith('securecookie: error - caused by: securecookie: error') ?? false
}
