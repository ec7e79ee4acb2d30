/**
 * @module What is in a sessions table, for `pgstore stats` and dashboards: row counts by state,
 * sizes on disk, the oldest and newest live session, and who holds the most sessions.
 *
 * Exact counts scan the table once; run it by hand or every few minutes, not per request.
 */
import type { SqlClient } from './driver.ts'
import { toStoreError } from './errors.ts'
import type { TableRef } from './identifiers.ts'

/** One owner and how many live sessions it has. */
export interface OwnerCount {
  owner: string
  sessions: number
}

/** A snapshot of a sessions table. Live means `expires_on` is in the future (database clock). */
export interface SessionStats {
  /** Every row, live or not. */
  total: number
  live: number
  /** Rows past their expiry, waiting for cleanup. */
  expired: number
  /** Live sessions with no owner (anonymous visitors). */
  anonymous: number
  /** Distinct owners holding at least one live session. */
  owners: number
  /** Live sessions of the owners with the most, most first (ties by owner). */
  topOwners: OwnerCount[]
  /** Creation time of the oldest live session; `null` when there is none. */
  oldest: Date | null
  /** Creation time of the newest live session; `null` when there is none. */
  newest: Date | null
  /** Heap size in bytes (`pg_table_size`: data, TOAST, free space map). */
  tableBytes: number
  /** Size of all its indexes in bytes (`pg_indexes_size`). */
  indexBytes: number
}

interface SummaryRow {
  total: string | number
  live: string | number
  expired: string | number
  anonymous: string | number
  owners: string | number
  oldest: Date | string | null
  newest: Date | string | null
  table_bytes: string | number
  index_bytes: string | number
}

const asDate = (value: Date | string | null): Date | null =>
  value === null ? null : new Date(value)

/**
 * Reads a {@link SessionStats} of `table`. `top` is how many owners to rank (default `10`).
 * Throws `StoreError` (`ERR_STORE_TABLE_MISSING` when the table or its `owner` column is missing).
 *
 * @example
 * ```ts
 * const stats = await sessionStats(pool, tableRef('http_sessions'))
 * console.log(stats.live, stats.expired)
 * ```
 */
export async function sessionStats(
  client: SqlClient,
  table: TableRef,
  options: { top?: number } = {},
): Promise<SessionStats> {
  const t = table.qualified
  const live = 'expires_on > now()'
  try {
    const summary = await client.query<SummaryRow>({
      text: `SELECT count(*) AS total,
        count(*) FILTER (WHERE ${live}) AS live,
        count(*) FILTER (WHERE expires_on <= now()) AS expired,
        count(*) FILTER (WHERE ${live} AND owner IS NULL) AS anonymous,
        count(DISTINCT owner) FILTER (WHERE ${live}) AS owners,
        min(created_on) FILTER (WHERE ${live}) AS oldest,
        max(created_on) FILTER (WHERE ${live}) AS newest,
        pg_table_size($1::regclass) AS table_bytes,
        pg_indexes_size($1::regclass) AS index_bytes
        FROM ${t}`,
      values: [t],
    })
    const top = await client.query<{ owner: string; sessions: string | number }>({
      text: `SELECT owner, count(*) AS sessions FROM ${t}
        WHERE owner IS NOT NULL AND ${live}
        GROUP BY owner ORDER BY count(*) DESC, owner LIMIT $1`,
      values: [options.top ?? 10],
    })
    const row = summary.rows[0]
    return {
      total: Number(row?.total ?? 0),
      live: Number(row?.live ?? 0),
      expired: Number(row?.expired ?? 0),
      anonymous: Number(row?.anonymous ?? 0),
      owners: Number(row?.owners ?? 0),
      topOwners: top.rows.map((r) => ({ owner: r.owner, sessions: Number(r.sessions) })),
      oldest: asDate(row?.oldest ?? null),
      newest: asDate(row?.newest ?? null),
      tableBytes: Number(row?.table_bytes ?? 0),
      indexBytes: Number(row?.index_bytes ?? 0),
    }
  } catch (error) {
    throw toStoreError(error, 'session stats')
  }
}
