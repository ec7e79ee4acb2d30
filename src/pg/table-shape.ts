/**
 * @module Whether a table is a sessions table: the columns Go's pgstore created (and pgstore
 * needs), so `migrate` refuses to build on a table of another shape (connect-pg-simple's `session`,
 * an app's own table) instead of failing halfway with "column does not exist", and the CLI can
 * name the sessions tables a mistyped `--table` may have meant.
 */
import { StoreError } from '../errors.ts'
import type { SqlClient } from './driver.ts'
import type { TableRef } from './identifiers.ts'

/** The columns of Go's `http_sessions`, which every pgstore migration builds on. */
export const sessionColumns: readonly string[] = [
  'id',
  'key',
  'data',
  'created_on',
  'modified_on',
  'expires_on',
]

/**
 * Throws when `ref` names an existing table that lacks the sessions columns; a missing table (to
 * be created) or a sessions table passes.
 *
 * @throws {StoreError} `ERR_STORE_TABLE_MISSING`, naming the missing columns, before any change.
 */
export async function assertSessionsShape(
  client: Pick<SqlClient, 'query'>,
  ref: TableRef,
): Promise<void> {
  const { rows } = await client.query<{ column: string }>({
    text: `SELECT attname AS column FROM pg_attribute
           WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    values: [ref.qualified],
  })
  if (rows.length === 0) return
  const present = new Set(rows.map((row) => row.column))
  const missing = sessionColumns.filter((column) => !present.has(column))
  if (missing.length === 0) return
  throw new StoreError(
    'ERR_STORE_TABLE_MISSING',
    `the table ${ref.qualified} exists but is not a sessions table (no column ${missing.join(', ')}): ` +
      'nothing was changed; choose another table name, or move that table away',
  )
}

/** The tables (`"schema"."table"`) in the database that have the sessions columns, sorted. */
export async function sessionsTables(client: Pick<SqlClient, 'query'>): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>({
    text: `SELECT format('%I.%I', table_schema, table_name) AS name
           FROM information_schema.columns
           WHERE column_name = ANY($1::text[])
             AND table_schema NOT IN ('pg_catalog', 'information_schema')
           GROUP BY table_schema, table_name
           HAVING count(DISTINCT column_name) = $2
           ORDER BY 1`,
    values: [sessionColumns, sessionColumns.length],
  })
  return rows.map((row) => row.name)
}
