/**
 * @module The keys a store is configured with: bytes only, at least one hash key, checked when the
 * store is built so a misconfigured service fails at start-up instead of on every request.
 *
 * Why bytes only: a key usually comes from an environment variable, and a string can mean its
 * base64 decoding (what `pgstore keygen` prints) or its UTF-8 bytes (Go's `[]byte(s)`). Two services
 * configured from the same variable the two ways sign with different keys and silently reject each
 * other's cookies. Requiring bytes makes the caller say which one: `Buffer.from(value, 'base64')`.
 */
import type { CodecOptions, SecureCookie } from '../codec/index.ts'
import { codecsFromPairs } from '../codec/index.ts'
import { UsageError } from '../errors.ts'

/**
 * Key pairs as a store takes them: `hashKey, blockKey, hashKey, blockKey, ...`, newest first. A
 * hash key is 32 or 64 random bytes; a block key is 16, 24 or 32 bytes, or `null` to sign only.
 */
export type StoreKeyPairs = ReadonlyArray<Uint8Array | null | undefined>

/** What to do, said once so every message gives the same advice. */
const howToPass =
  "pass keys as bytes, e.g. Buffer.from(process.env.SESSION_HASH_KEY, 'base64'); " +
  '`npx pgstore keygen` prints a new base64 pair'

/**
 * One codec per key pair, after checking that there is a hash key and every key is bytes.
 *
 * @param store Named in messages (`'PGStore'`, `'CookieStore'`).
 * @throws {UsageError} `ERR_HASH_KEY_NOT_SET` when no hash key is given or a hash key is not bytes;
 *   `ERR_BLOCK_KEY_INVALID` when a block key is not bytes, `null` or `undefined`. Wrong key lengths
 *   throw from `codecsFromPairs` with the same codes.
 */
export function storeCodecs(
  store: string,
  keyPairs: ReadonlyArray<unknown>,
  options: CodecOptions,
): SecureCookie[] {
  if (!Array.isArray(keyPairs) || keyPairs.length === 0 || keyPairs[0] == null) {
    throw new UsageError('ERR_HASH_KEY_NOT_SET', `${store} needs a key pair: ${howToPass}`)
  }
  for (const [index, key] of keyPairs.entries()) {
    const isHash = index % 2 === 0
    const blockOk = !isHash && (key === null || key === undefined)
    if (key instanceof Uint8Array || blockOk) continue
    const which = `${isHash ? 'hash' : 'block'} key #${Math.floor(index / 2) + 1}`
    const got = typeof key === 'string' ? 'a string' : key === null ? 'null' : typeof key
    throw new UsageError(
      isHash ? 'ERR_HASH_KEY_NOT_SET' : 'ERR_BLOCK_KEY_INVALID',
      `${store}: ${which} is ${got}; ${howToPass}`,
    )
  }
  return codecsFromPairs(...(keyPairs as StoreKeyPairs), options)
}
