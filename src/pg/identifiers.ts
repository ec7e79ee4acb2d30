/**
 * @module Schema and table names: checked against an allow-list, then quoted. They are the only
 * text pgstore splices into SQL; every value travels as a parameter.
 */
import { UsageError } from '../errors.ts'

// Lowercase so the quoted name equals what an unquoted name in hand-written SQL means; 63 bytes
// because PostgreSQL silently truncates longer identifiers (NAMEDATALEN).
const identifierPattern = /^[a-z_][a-z0-9_]{0,62}$/

/** Throws `ERR_INVALID_IDENTIFIER` unless `name` is a plain lowercase identifier of ≤ 63 bytes. */
export function assertIdentifier(name: string, what: string): void {
  if (typeof name !== 'string' || !identifierPattern.test(name)) {
    throw new UsageError(
      'ERR_INVALID_IDENTIFIER',
      `invalid ${what} name: use 1 to 63 characters of a-z, 0-9 and _, not starting with a digit`,
    )
  }
}

/** Where the sessions live: the quoted, qualified table and the bare names. */
export interface TableRef {
  /** `"schema"."table"`, or `"table"` for the search path's first schema (Go's behaviour). */
  readonly qualified: string
  readonly schema: string | undefined
  readonly table: string
}

/** Validates and quotes `schema` (optional) and `table` (default `http_sessions`). */
export function tableRef(table = 'http_sessions', schema?: string): TableRef {
  assertIdentifier(table, 'table')
  if (schema !== undefined) assertIdentifier(schema, 'schema')
  const qualified = schema === undefined ? `"${table}"` : `"${schema}"."${table}"`
  return { qualified, schema, table }
}

/**
 * The table of ended session ids beside `ref` (one per schema, rows keyed by table name, as the
 * migrations ledger): `"schema"."pgstore_ended"`, or `"pgstore_ended"` on the search path.
 */
export function endedTable(ref: TableRef): string {
  return ref.schema === undefined ? '"pgstore_ended"' : `"${ref.schema}"."pgstore_ended"`
}
