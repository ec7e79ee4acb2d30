/**
 * @module Hashed ids at rest: the `key` column holds a hash of the session id instead of the id,
 * so a copy of the table (a backup, a replica, a leaked dump) gives no cookie that loads a session.
 * The cookie still carries the id; the store hashes it on every statement.
 *
 * Go pgstore looks rows up by the plain id, so a Go service cannot share a table in this mode.
 */
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { hashKeyBytes, type KeyMaterial } from '../codec/keys.ts'
import { UsageError } from '../errors.ts'

/** How the `key` column is derived from a session id: the id itself, or its hash (32 bytes). */
export type RowKey = (id: string) => string | Buffer

/** The length of a hashed key; plain ids are 52 characters, so the two never collide. */
export const hashedKeyLength = 32

/** The plain key: Go's, the id as its ASCII bytes. */
export const plainKey: RowKey = (id) => id

/**
 * The key function for the `hashIds` option: `true` is SHA-256 of the id (ids carry 256 random
 * bits, so it cannot be reversed), a key is HMAC-SHA256 under it (a dump is useless even to whoever
 * could guess ids). `false` or absent keeps plain ids.
 */
export function rowKeyFor(hashIds: boolean | KeyMaterial | undefined): RowKey {
  if (hashIds === undefined || hashIds === false) return plainKey
  if (hashIds === true) return (id) => createHash('sha256').update(id, 'latin1').digest()
  let key: KeyObject
  try {
    key = createSecretKey(hashKeyBytes(hashIds))
  } catch {
    throw new UsageError('ERR_INVALID_OPTION', 'hashIds must be true, false or a non-empty key')
  }
  return (id) => createHmac('sha256', key).update(id, 'latin1').digest()
}
