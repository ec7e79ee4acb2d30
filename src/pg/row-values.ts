/**
 * @module The `data` column to session values and back: a securecookie value holding the
 * serialized map, as Go writes it.
 */
import type { SecureCookie, Serializer } from '../codec/index.ts'
import { type DecodeOverrides, deserializeWith, openMulti } from '../codec/index.ts'
import { DecodeError } from '../errors.ts'
import type { SessionValues } from '../session/session.ts'

/**
 * The row's expiry in SQL is the authority; a value's own timestamp must not cut a session short
 * (Go pitfall: a per-session maxAge above the store's broke decoding).
 */
export const noTimestampCheck: DecodeOverrides = { maxAge: 0 }

/** A decoded `data` column: the values and the serialized bytes they came from. */
export interface OpenedRow {
  readonly values: SessionValues
  readonly bytes: Uint8Array
  /** The column as text, as the database holds it. */
  readonly sealed: string
  /** Which codec opened it: 0 is the current key pair, above 0 an older one. */
  readonly codec: number
  /** When it was sealed (Unix seconds, the securecookie timestamp). */
  readonly sealedAt: number
}

/** Verifies and decodes a `data` column; throws `DecodeError` when it is not this store's. */
export function openRow(
  name: string,
  data: unknown,
  codecs: readonly SecureCookie[],
  serializer: Serializer,
): OpenedRow {
  const sealed = rowText(data)
  const { bytes, codec, timestamp } = openMulti(name, sealed, codecs, noTimestampCheck)
  return { values: valuesOf(serializer, bytes), bytes, sealed, codec, sealedAt: timestamp }
}

/** Session values from serialized bytes; throws `DecodeError` when they are not a map. */
export function valuesOf(serializer: Serializer, bytes: Uint8Array): SessionValues {
  return toValues(deserializeWith(serializer, bytes))
}

/** `data` is `bytea`: drivers hand it over as bytes, or as `\x` hex text when parsing is off. */
export function rowText(value: unknown): string {
  if (typeof value === 'string')
    return value.startsWith('\\x') ? Buffer.from(value.slice(2), 'hex').toString('latin1') : value
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1')
  throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'session data column is not bytes')
}

/** Session values are a null-prototype object, whether the serializer gave a Map or an object. */
function toValues(value: unknown): SessionValues {
  if (value instanceof Map) {
    const out: SessionValues = Object.create(null)
    for (const [k, v] of value) {
      if (typeof k !== 'string') {
        throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'session values have a non-string key')
      }
      out[k] = v
    }
    return out
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof Uint8Array
  ) {
    throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'session values are not a key-value map')
  }
  if (Object.getPrototypeOf(value) === null) return value as SessionValues
  return Object.assign(Object.create(null) as SessionValues, value)
}

/** True when `values` has no own key. */
export function isEmpty(values: SessionValues): boolean {
  for (const _ in values) return false
  return true
}

/** Byte equality, for "did this request change the values". */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
}
