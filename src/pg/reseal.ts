/**
 * @module Re-sealing every live row under the current key pair, in batches: after a key leaks, its
 * pair can be retired at once instead of after one maxAge. Each batch reads rows by id order and
 * writes back only the ones an older pair sealed, only while they still hold what was read.
 */
import type { SecureCookie } from '../codec/index.ts'
import { openMulti, sealMulti } from '../codec/index.ts'
import type { SqlClient } from './driver.ts'
import { toStoreError } from './errors.ts'
import type { TableRef } from './identifiers.ts'
import { noTimestampCheck } from './row-values.ts'

/** What a re-seal pass did, so far or in the end. */
export interface ResealReport {
  /** Live rows read. */
  scanned: number
  /** Rows an older pair sealed, now sealed under the current pair. */
  resealed: number
  /** Rows already under the current pair: left as they were. */
  current: number
  /** Rows no pair and no session name opens (another application's, or corrupt): left alone. */
  undecodable: number
  /** Rows written (or removed) by someone else between our read and our write: left to them. */
  changed: number
  batches: number
}

/** Options of {@link resealRows}. */
export interface ResealOptions {
  /** Rows per batch (one SELECT and at most one UPDATE each). Default 500. */
  batchSize?: number | undefined
  /** Called after each batch with the running totals. Default: none. */
  onBatch?: ((report: ResealReport) => void) | undefined
}

interface Row {
  id: string
  data: Buffer | null
}

/**
 * Re-seals the live rows of `table` that an older codec (index above 0) opens, under `codecs[0]`,
 * keeping their values, timestamps of expiry and version. `names` are the session names the rows
 * may belong to (a row's seal is bound to its session's name). The UPDATE of a batch applies to a
 * row only if its data is still what was read, so a concurrent save always wins.
 */
export async function resealRows(
  pool: SqlClient,
  table: TableRef,
  codecs: readonly SecureCookie[],
  names: readonly string[],
  options: ResealOptions = {},
): Promise<ResealReport> {
  const batchSize = options.batchSize ?? 500
  const t = table.qualified
  const report: ResealReport = {
    scanned: 0,
    resealed: 0,
    current: 0,
    undecodable: 0,
    changed: 0,
    batches: 0,
  }
  let after = '0'
  for (;;) {
    let rows: Row[]
    try {
      const result = await pool.query<Row>({
        text: `SELECT id::text AS id, data FROM ${t}
               WHERE id > $1::bigint AND expires_on > now() ORDER BY id LIMIT $2`,
        values: [after, batchSize],
      })
      rows = result.rows
    } catch (error) {
      throw toStoreError(error, 'read sessions to re-seal')
    }
    if (rows.length === 0) break
    after = rows[rows.length - 1]?.id ?? after
    const ids: string[] = []
    const olds: string[] = []
    const news: string[] = []
    for (const row of rows) {
      report.scanned++
      const sealed = row.data === null ? '' : row.data.toString('latin1')
      const fresh = resealOne(sealed, codecs, names)
      if (fresh === undefined) report.undecodable++
      else if (fresh === null) report.current++
      else {
        ids.push(row.id)
        olds.push(sealed)
        news.push(fresh)
      }
    }
    if (ids.length > 0) {
      try {
        const result = await pool.query({
          text: `UPDATE ${t} AS s SET data = convert_to(v.fresh, 'SQL_ASCII')
                 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, old, fresh)
                 WHERE s.id = v.id AND s.data = convert_to(v.old, 'SQL_ASCII')`,
          values: [ids, olds, news],
        })
        const written = result.rowCount ?? 0
        report.resealed += written
        report.changed += ids.length - written
      } catch (error) {
        throw toStoreError(error, 're-seal sessions')
      }
    }
    report.batches++
    options.onBatch?.({ ...report })
    if (rows.length < batchSize) break
  }
  return report
}

/** The row under the current pair; `null` when it already is; `undefined` when nothing opens it. */
function resealOne(
  sealed: string,
  codecs: readonly SecureCookie[],
  names: readonly string[],
): string | null | undefined {
  for (const name of names) {
    let opened: ReturnType<typeof openMulti>
    try {
      opened = openMulti(name, sealed, codecs, noTimestampCheck)
    } catch {
      continue
    }
    return opened.codec === 0 ? null : sealMulti(name, opened.bytes, codecs)
  }
  return undefined
}
