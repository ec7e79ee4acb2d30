/**
 * @module Key rotation: one codec per key pair, encode with the first that works, decode with any.
 */

import { InternalError, MultiError, PgStoreError, UsageError } from '../errors.ts'
import type { Codec, DecodeOverrides } from './codec.ts'
import type { KeyMaterial } from './keys.ts'
import { type CodecOptions, type Opened, SecureCookie } from './secure-cookie.ts'

function isOptions(arg: unknown): arg is CodecOptions {
  return typeof arg === 'object' && arg !== null && !(arg instanceof Uint8Array)
}

/**
 * Builds one {@link SecureCookie} per pair of `hashKey, blockKey`, newest pair first, as Go's
 * `CodecsFromPairs`. An odd count leaves the last pair without a block key, and a `null` block key
 * means "sign only". A trailing {@link CodecOptions} object is passed to every codec. Each codec
 * starts with the default settings.
 *
 * Unlike Go, a bad pair throws here instead of producing a codec that fails on every call: in Go,
 * a misconfigured first pair makes `EncodeMulti` silently fall through to the next pair, so a typo
 * in the new key would go unnoticed while the old key kept signing.
 *
 * @example
 * ```ts
 * // rotate: the new pair signs, the old pair still reads cookies made before the switch
 * const codecs = codecsFromPairs(newHash, newBlock, oldHash, oldBlock)
 * ```
 * @throws {UsageError} `ERR_HASH_KEY_NOT_SET` or `ERR_BLOCK_KEY_INVALID` for the first bad pair.
 */
export function codecsFromPairs(...keyPairs: Array<KeyMaterial | null | undefined>): SecureCookie[]
export function codecsFromPairs(
  ...args: [...keyPairs: Array<KeyMaterial | null | undefined>, options: CodecOptions]
): SecureCookie[]
export function codecsFromPairs(
  ...args: Array<KeyMaterial | null | undefined | CodecOptions>
): SecureCookie[] {
  const last = args.at(-1)
  const options = isOptions(last) ? last : undefined
  const keys = options === undefined ? args : args.slice(0, -1)
  const codecs: SecureCookie[] = []
  for (let i = 0; i < keys.length; i += 2) {
    codecs.push(
      new SecureCookie(
        keys[i] as KeyMaterial,
        keys[i + 1] as KeyMaterial | null | undefined,
        options,
      ),
    )
  }
  return codecs
}

function checkCodecs(codecs: readonly Codec[]): void {
  if (!Array.isArray(codecs) || codecs.length === 0) {
    throw new UsageError('ERR_NO_CODECS', 'no codecs provided')
  }
}

/** A codec supplied by the caller may throw anything; keep it, typed, for the MultiError. */
function asPgStoreError(err: unknown): PgStoreError {
  if (err instanceof PgStoreError) return err
  return new InternalError('ERR_INTERNAL', 'codec threw an error that is not a PgStoreError', {
    cause: err,
  })
}

/** The first codec's result that does not throw; every failure kept, in order, otherwise. */
function firstSuccess<C, T>(codecs: readonly C[], run: (codec: C) => T): T {
  checkCodecs(codecs as readonly Codec[])
  const errors: PgStoreError[] = []
  for (const codec of codecs) {
    try {
      return run(codec)
    } catch (err) {
      errors.push(asPgStoreError(err))
    }
  }
  throw new MultiError(errors)
}

/**
 * Encodes with the first codec that succeeds, as Go's `EncodeMulti`. With rotation the first codec
 * is the current key, so this normally returns its result.
 *
 * @throws {UsageError} `ERR_NO_CODECS` for an empty list.
 * @throws {MultiError} when every codec fails, with each codec's error in order (also for one
 *   codec, as Go); its `code` and `kind` are the first error's.
 */
export function encodeMulti(name: string, value: unknown, codecs: readonly Codec[]): string {
  return firstSuccess(codecs, (codec) => codec.encode(name, value))
}

/**
 * Decodes with the first codec that accepts the value, as Go's `DecodeMulti`, so cookies made with
 * an older key pair still read until that pair is removed.
 *
 * @param overrides Passed to every codec (`{ maxAge: 0 }` turns the age check off). Default: none.
 * @throws {UsageError} `ERR_NO_CODECS` for an empty list.
 * @throws {MultiError} when every codec fails (kind `decode` for a bad value), with each codec's
 *   error in order, also for one codec.
 */
export function decodeMulti<T = unknown>(
  name: string,
  value: string,
  codecs: readonly Codec[],
  overrides?: DecodeOverrides,
): T {
  return firstSuccess(codecs, (codec) => codec.decode<T>(name, value, overrides))
}

/** {@link encodeMulti} for bytes already serialized (`SecureCookie.seal`). */
export function sealMulti(
  name: string,
  serialized: Uint8Array,
  codecs: readonly SecureCookie[],
): string {
  return firstSuccess(codecs, (codec) => codec.seal(name, serialized))
}

/**
 * {@link decodeMulti} without deserializing (`SecureCookie.open`): bytes, timestamp, and the index
 * of the codec that opened it (above 0: an older key pair, so the value is due for re-encoding).
 */
export function openMulti(
  name: string,
  value: string,
  codecs: readonly SecureCookie[],
  overrides?: DecodeOverrides,
): Opened & { codec: number } {
  return firstSuccess(codecs, (codec) => ({
    ...codec.open(name, value, overrides),
    codec: codecs.indexOf(codec),
  }))
}
