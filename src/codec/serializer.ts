/**
 * @module The serializer contract: how a value becomes the bytes the codec signs and encrypts.
 */
import { DecodeError, PgStoreError, UsageError } from '../errors.ts'

/**
 * Turns values into bytes and back (Go's `securecookie.Serializer`). `serialize` throws a
 * `UsageError` (`ERR_SERIALIZE`) for a value it cannot represent; `deserialize` throws a
 * `DecodeError` (`ERR_COOKIE_DESERIALIZE`) for bytes it cannot read. Neither may throw anything else.
 */
export interface Serializer {
  /** A short name for diagnostics: `json`, `bytes`, `gob`. */
  readonly name: string
  serialize(value: unknown): Uint8Array
  deserialize(bytes: Uint8Array): unknown
}

/**
 * `serializer.serialize(value)`, with any failure that is not already a pgstore error turned into
 * a `UsageError` (`ERR_SERIALIZE`) and a check that bytes came back.
 */
export function serializeWith(serializer: Serializer, value: unknown): Uint8Array {
  let bytes: unknown
  try {
    bytes = serializer.serialize(value)
  } catch (cause) {
    if (cause instanceof PgStoreError) throw cause
    throw new UsageError('ERR_SERIALIZE', `${serializer.name}: value cannot be serialized`, {
      cause,
    })
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new UsageError('ERR_SERIALIZE', `${serializer.name}: serializer returned no bytes`)
  }
  return bytes
}

/**
 * `serializer.deserialize(bytes)`, with any failure that is not already a pgstore error turned into
 * a `DecodeError` (`ERR_COOKIE_DESERIALIZE`).
 */
export function deserializeWith(serializer: Serializer, bytes: Uint8Array): unknown {
  try {
    return serializer.deserialize(bytes)
  } catch (cause) {
    if (cause instanceof PgStoreError) throw cause
    throw new DecodeError('ERR_COOKIE_DESERIALIZE', `${serializer.name}: value cannot be read`, {
      cause,
    })
  }
}
