/**
 * @module The serializer contract: how a value becomes the bytes the codec signs and encrypts.
 */

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
