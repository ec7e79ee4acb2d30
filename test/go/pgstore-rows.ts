/**
 * The `pgstore_rows` section of the Go vectors (rows and cookies recorded from the real Go pgstore,
 * go-reference.md B.2) and the helpers to replay it: key sets as store arguments, rows inserted
 * into a table, `Set-Cookie` lines compared by attribute.
 */

import type { PGStoreOptions } from '../../src/index.ts'
import { keySet } from '../codec/go-vectors.ts'
import { readGoVectors } from '../fixtures/go-vectors-file.ts'
import type { GoRecorded } from '../gob/go-values.ts'
import type { TestSchema } from '../support/pg.ts'

/** A row as Go's pgstore left it; times are PostgreSQL text and epoch seconds. */
export interface GoRow {
  id: number
  key: string
  data: string
  created_on: string
  modified_on: string
  expires_on: string
  modified_on_epoch: string
  expires_on_epoch: string
  data_key_set: string
  data_session_name: string
  /** Absent when the data does not decode (the harness corrupted it). */
  data_values?: GoRecorded
}

/** One recorded request against Go's pgstore: Get, change the values, Save. */
export interface GoStep {
  id: string
  description: string
  store_key_sets: string[]
  session_name: string
  request_cookie?: string
  get_is_new: boolean
  get_error?: string
  session_id_after_get: string
  values_after_get: GoRecorded
  options_max_age: number
  values_saved: GoRecorded
  save_error?: string
  session_id: string
  set_cookie: string[]
  saved_at_unix: number
  rows_for_key_after: GoRow[]
}

/** The section itself. */
export interface PgstoreRows {
  schema: { statement: string; indexes: string[]; queries: Record<string, string> }
  steps: GoStep[]
  rows_before_cleanup: GoRow[]
  rows_after_cleanup: GoRow[]
  cleanup_removed: string[]
}

/** The `pgstore_rows` section of test/fixtures/gorilla-securecookie.json. */
export const pgstoreRows: PgstoreRows = readGoVectors().pgstore_rows as PgstoreRows

/**
 * When Go's snapshot was taken: the latest write among the rows. Inserted rows are shifted by
 * `now() - snapshot`, so each is as fresh or as expired as it was for Go, whenever the test runs.
 */
export const snapshotEpoch: number = Math.max(
  ...pgstoreRows.rows_before_cleanup.map((r) => Number(r.modified_on_epoch)),
)

/** Store arguments for key set ids, in codec order: `hash1, block1, hash2, block2, ..., options`. */
export function storeArgs(
  ids: readonly string[],
  options: PGStoreOptions,
): Array<Uint8Array | null | PGStoreOptions> {
  const args: Array<Uint8Array | null | PGStoreOptions> = []
  for (const id of ids) {
    const { hashKey, blockKey } = keySet(id)
    args.push(hashKey, blockKey)
  }
  args.push(options)
  return args
}

/** Go's cookie options (no HttpOnly, Secure or SameSite), so `Set-Cookie` lines compare as equal. */
export const goCookieOptions: PGStoreOptions['cookie'] = {
  secure: false,
  httpOnly: false,
  sameSite: false,
}

/**
 * Inserts Go's row as it was, its times moved by `now() - snapshot`; `expiredFor` (seconds) instead
 * puts expires_on that far in the past. `withId` keeps Go's id (the sequence is moved past it).
 */
export async function insertGoRow(
  db: TestSchema,
  row: GoRow,
  options: { withId?: boolean; expiredFor?: number } = {},
): Promise<void> {
  const shift = `(now() - to_timestamp(${snapshotEpoch}))`
  const expires = `CASE WHEN $7::float8 IS NULL THEN $6::timestamptz + ${shift}
                   ELSE now() - make_interval(secs => $7::float8) END`
  await db.query(
    `INSERT INTO http_sessions (id, key, data, created_on, modified_on, expires_on)
     VALUES (COALESCE($1::bigint, nextval('http_sessions_id_seq')), $2, $3,
             $4::timestamptz + ${shift}, $5::timestamptz + ${shift}, ${expires})`,
    [
      options.withId ? row.id : null,
      Buffer.from(row.key, 'latin1'),
      Buffer.from(row.data, 'latin1'),
      row.created_on,
      row.modified_on,
      row.expires_on,
      options.expiredFor ?? null,
    ],
  )
  if (options.withId) {
    await db.query(
      `SELECT setval('http_sessions_id_seq', GREATEST((SELECT max(id) FROM http_sessions), 1))`,
    )
  }
}

/** A `Set-Cookie` line split into its name, value and attributes (names lowercased). */
export function parseSetCookie(line: string): {
  name: string
  value: string
  attributes: Map<string, string>
} {
  const [pair = '', ...rest] = line.split('; ')
  const eq = pair.indexOf('=')
  const attributes = new Map<string, string>()
  for (const part of rest) {
    const i = part.indexOf('=')
    attributes.set((i < 0 ? part : part.slice(0, i)).toLowerCase(), i < 0 ? '' : part.slice(i + 1))
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes }
}
