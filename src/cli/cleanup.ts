/**
 * @module `pgstore cleanup`: one pass deleting expired rows in short batches, for cron. It takes the
 * same per-table lock as the applications' cleanup loops, so running it next to them is safe: only
 * one cleaner deletes at a time, and the others skip.
 */
import { parseArgs } from 'node:util'
import { deleteExpiredRows } from '../pg/cleanup.ts'
import { buildQueries } from '../pg/queries.ts'
import {
  databaseOptions,
  databaseOptionsHelp,
  databaseTarget,
  parseOrUsage,
  positiveInteger,
} from './args.ts'
import { openDatabase } from './db.ts'
import { type CliIO, printJson } from './output.ts'

/** `pgstore cleanup --help`. */
export const cleanupHelp: string = `Usage: pgstore cleanup [--batch N] [--max-batches N] [options]

Deletes expired sessions, oldest expiry first, in batches of one short transaction
each. Expired rows are already invisible to the store; this only frees space.
Safe next to running applications: if another process is cleaning the table, this
one does nothing and says so (the lock is keyed by the table itself, however it is
named). Interrupting it (Ctrl-C) loses at most one batch.
On a terminal, a progress line shows rows deleted out of the expired rows counted
at the start, the rate, elapsed time and an estimate of the time left.

Options:
  --batch N            rows per batch. Default: 1000
  --max-batches N      stop after N batches (the next run goes on). Default: no limit

${databaseOptionsHelp}`

// Redraw at most this often, so tiny batches do not flood the terminal.
const progressIntervalMs = 100

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

/**
 * The progress line: `deleted 500 of 1200 rows (42%), 250 rows/s, 2.0s elapsed, about 2.8s left`.
 * The total was counted before the first batch; rows that expire meanwhile can push `deleted`
 * past it, so the share is capped and the estimate then reads "finishing".
 */
export function progressLine(deleted: number, total: number, elapsedMs: number): string {
  const rate = deleted / Math.max(elapsedMs / 1000, 0.001)
  const share = total === 0 ? 100 : Math.min(100, Math.floor((deleted / total) * 100))
  const left = total - deleted
  const eta =
    left <= 0
      ? 'finishing'
      : rate > 0
        ? `about ${seconds((left / rate) * 1000)} left`
        : 'ETA unknown'
  return `deleted ${deleted} of ${total} rows (${share}%), ${Math.round(rate)} rows/s, ${seconds(elapsedMs)} elapsed, ${eta}`
}

/** Runs `pgstore cleanup`; returns the exit code. */
export async function cleanupCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: {
        ...databaseOptions,
        batch: { type: 'string' },
        'max-batches': { type: 'string' },
      },
      strict: true,
    }),
  )
  if (values.help) {
    io.stdout.write(`${cleanupHelp}\n`)
    return 0
  }
  const batchSize = positiveInteger(values.batch, 'batch', 1000, 100_000)
  const maxBatches = positiveInteger(
    values['max-batches'],
    'max-batches',
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  )
  const target = databaseTarget(values, io.env)
  const db = await openDatabase(target, { requireTable: true })
  const showProgress = io.stdout.isTTY === true && !values.json
  let drawnAt = Number.NEGATIVE_INFINITY
  const started = performance.now()
  let deleted = 0
  let batches = 0
  let lockedOut = false
  try {
    // Only a terminal shows progress; cron runs skip the count.
    const total = showProgress
      ? Number(
          (
            await db.pool.query<{ n: string }>(
              `SELECT count(*) AS n FROM ${target.table.qualified} WHERE expires_on < now()`,
            )
          ).rows[0]?.n ?? 0,
        )
      : 0
    // The same per-table lock and batches as the stores' cleanup, without a store: no keys needed.
    const queries = buildQueries(target.table)
    // One batch per call, so progress can be drawn between batches.
    while (batches < maxBatches) {
      const report = await deleteExpiredRows(db.pool, queries, target.table, {
        batchSize,
        maxBatches: 1,
      })
      if (!report.locked) {
        lockedOut = true
        break
      }
      deleted += report.deleted
      batches += report.batches
      const now = performance.now()
      if (showProgress && now - drawnAt >= progressIntervalMs) {
        io.stdout.write(`\r\x1b[K${progressLine(deleted, total, now - started)}`)
        drawnAt = now
      }
      if (report.deleted < batchSize) break
    }
  } finally {
    // Erased on failure too, so the error line is not glued to a stale progress line.
    if (drawnAt !== Number.NEGATIVE_INFINITY) io.stdout.write('\r\x1b[K')
    await db.close()
  }
  const durationMs = performance.now() - started
  const table = target.table.qualified
  if (values.json) {
    printJson(io, {
      table,
      deleted,
      batches,
      durationMs: Math.round(durationMs),
      locked: batches > 0 || !lockedOut,
    })
  } else if (lockedOut && batches === 0) {
    io.stdout.write(`another process is cleaning ${table}: nothing done\n`)
  } else {
    const note = lockedOut ? ' (another process took over)' : ''
    io.stdout.write(
      `deleted ${deleted} expired sessions from ${table} in ${batches} batch(es), ${seconds(durationMs)}${note}\n`,
    )
  }
  return 0
}
