/**
 * @module The codec contract (Go's `securecookie.Codec`): two methods, strings in and out.
 */

/** Per-call settings that take precedence over the codec's own for one `decode`. */
export interface DecodeOverrides {
  /**
   * Maximum age in seconds of the signed timestamp for this call; `0` turns the check off. Default:
   * the codec's `maxAge` (2592000, 30 days). The store decodes its rows with `0` because the row's
   * own expiry is what counts there.
   */
  maxAge?: number
}

/**
 * Turns a value into a signed (and optionally encrypted) cookie string and back. {@link SecureCookie}
 * is the implementation; `encodeMulti`/`decodeMulti` take any object of this shape, so a test or an
 * app may supply its own.
 *
 * `encode` throws a `UsageError` for a value or configuration it cannot handle; `decode` throws a
 * `DecodeError` for any input it cannot accept (treat it as "no session") and a `UsageError` only
 * for a misuse such as a bad override.
 */
export interface Codec {
  encode(name: string, value: unknown): string
  decode<T = unknown>(name: string, value: string, overrides?: DecodeOverrides): T
}
