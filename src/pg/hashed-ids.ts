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
import { sessionIdPattern } from '../session/id.ts'
import type { SqlClient } from './driver.ts'
import { toStoreError } from './errors.ts'
import type { TableRef } from './identifiers.ts'

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

/** What {@link hashStoredIds} did. */
export interface HashIdsReport {
  /** Rows whose plain id was replaced by its hash. */
  converted: number
  batches: number
}

/**
 * Converts every row still under a plain pgstore id (52 base32 characters, as the store and Go
 * make them) to its hashed key, in batches of `batchSize` by row number, each one statement. Rows
 * of other shapes (express-session sids, keys already hashed) are left alone. Safe while apps
 * run: a row converted meanwhile by a read no longer matches.
 */
export async function hashStoredIds(
  client: Pick<SqlClient, 'query'>,
  ref: TableRef,
  rowKey: RowKey,
  batchSize = 1000,
): Promise<HashIdsReport> {
  const report: HashIdsReport = { converted: 0, batches: 0 }
  let after = '0'
  for (;;) {
    let page: Array<{ id: string; key: unknown }>
    try {
      const result = await client.query<{ id: string; key: unknown }>({
        text: `SELECT id::text AS id, key FROM ${ref.qualified}
               WHERE id > $1::bigint AND octet_length(key) = 52 ORDER BY id LIMIT $2`,
        values: [after, batchSize],
      })
      page = result.rows
      if (page.length === 0) return report
      after = page[page.length - 1]?.id ?? after
      const plain = page
        .map((row) => ({ id: row.id, key: Buffer.from(row.key as Uint8Array).toString('latin1') }))
        .filter((row) => sessionIdPattern.test(row.key))
      if (plain.length > 0) {
        const done = await client.query({
          text: `UPDATE ${ref.qualified} AS s SET key = v.hashed
                 FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) AS v(id, plain, hashed)
                 WHERE s.id = v.id AND s.key = v.plain`,
          values: [
            plain.map((row) => row.id),
            plain.map((row) => Buffer.from(row.key, 'latin1')),
            plain.map((row) => Buffer.from(rowKey(row.key))),
          ],
        })
        report.converted += done.rowCount ?? 0
      }
    } catch (error) {
      throw toStoreError(error, 'hash ids')
    }
    report.batches++
    if (page.length < batchSize) return report
  }
}
