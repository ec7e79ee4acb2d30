/**
 * @module Deleting expired rows: bounded batches in expiry order, one cleaner at a time across every
 * process sharing the table, and a background loop that never keeps the process alive.
 */
import { type SqlClient, transaction } from './driver.ts'
import { toStoreError } from './errors.ts'
import type { TableRef } from './identifiers.ts'
import type { Queries } from './queries.ts'

/** Options of one cleanup pass. */
export interface DeleteExpiredOptions {
  /**
   * Rows per batch (one short transaction each). Default: adaptive, starting at 200, shrinking in
   * proportion or doubling (between 10 and 5000) to keep each batch near 30 ms, so a batch never holds its locks
   * long enough to show in the traffic's latency.
   */
  batchSize?: number | undefined
  /**
   * Milliseconds to wait between batches. Default: as long as the last batch took, so cleanup uses
   * at most half of one connection's time and traffic gets the rest. `0` runs batches back to back.
   */
  pauseMs?: number | undefined
  /** Stop after this many batches; the next pass goes on. Default: until none are left. */
  maxBatches?: number | undefined
  /** Stops between batches when aborted. */
  signal?: AbortSignal | undefined
}

/** What one pass did. `locked: false` means another process was cleaning, so this one did nothing. */
export interface CleanupReport {
  deleted: number
  batches: number
  durationMs: number
  locked: boolean
  /** The slowest batch, in milliseconds. */
  longestBatchMs: number
}

interface BatchRow {
  held: boolean
  deleted: number
}

async function runBatch(
  client: SqlClient,
  queries: Queries,
  table: string,
  batchSize: number,
): Promise<BatchRow | undefined> {
  if (!client.connect) {
    const result = await client.query<BatchRow>({
      ...queries.deleteExpiredBatch,
      values: [table, batchSize],
    })
    return result.rows[0]
  }
  return transaction(client, async (tx) => {
    const lock = await tx.query<{ held: boolean }>({ ...queries.tryCleanupLock, values: [table] })
    if (!lock.rows[0]?.held) return { held: false, deleted: 0 }
    const result = await tx.query<BatchRow>({ ...queries.deleteExpired, values: [batchSize] })
    return result.rows[0]
  })
}

/**
 * Runs one pass. Each batch is its own short transaction holding `pg_try_advisory_xact_lock`, so
 * two cleaners never delete at the same time and a crashed one holds nothing.
 */
export async function deleteExpiredRows(
  client: SqlClient,
  queries: Queries,
  table: TableRef,
  options: DeleteExpiredOptions = {},
): Promise<CleanupReport> {
  const fixed = options.batchSize
  let batchSize = fixed ?? 200
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY
  const started = performance.now()
  const report: CleanupReport = {
    deleted: 0,
    batches: 0,
    durationMs: 0,
    locked: true,
    longestBatchMs: 0,
  }
  while (report.batches < maxBatches && !options.signal?.aborted) {
    const batchStarted = performance.now()
    let row: BatchRow | undefined
    try {
      row = await runBatch(client, queries, table.qualified, batchSize)
    } catch (error) {
      throw toStoreError(error, 'cleanup')
    }
    const took = performance.now() - batchStarted
    report.longestBatchMs = Math.max(report.longestBatchMs, took)
    if (!row?.held) {
      report.locked = report.batches > 0
      break
    }
    report.batches++
    report.deleted += row.deleted
    if (row.deleted < batchSize || report.batches >= maxBatches) break
    if (fixed === undefined) batchSize = nextBatchSize(batchSize, took)
    await pause(options.pauseMs ?? took, options.signal)
  }
  if (report.locked && !options.signal?.aborted) {
    try {
      await client.query({ ...queries.deleteEnded, values: [table.table] })
    } catch (error) {
      throw toStoreError(error, 'cleanup')
    }
  }
  report.durationMs = performance.now() - started
  return report
}

/** What an adaptive batch aims at, in milliseconds. */
const batchTargetMs = 30

// Adaptive batches aim at 30 ms: long enough to amortise the round trip, short enough that the
// row and index locks of one batch do not show in request latency, and far enough below 100 ms
// that a batch landing behind a WAL flush on a busy machine still stays under it. A slow batch
// shrinks the next in proportion (halving was too slow to come back from a 190 ms batch).
function nextBatchSize(size: number, tookMs: number): number {
  if (tookMs > batchTargetMs * 2) {
    return Math.max(10, Math.floor((size * batchTargetMs) / tookMs))
  }
  if (tookMs < batchTargetMs / 2) return Math.min(5000, size * 2)
  return size
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** A running background cleanup, returned by `store.cleanup()`. */
export interface CleanupHandle {
  /** Stops the loop and waits for a pass in flight. Idempotent. */
  stop(): Promise<void>
  /** True until stopped. */
  readonly running: boolean
}

/**
 * Calls `pass` every `intervalMs`, jittered between 50% and 150% so many processes started together
 * spread out. The first pass runs after one interval, as in Go. Timers are unref'd.
 */
export function startCleanupLoop(
  intervalMs: number,
  pass: (signal: AbortSignal) => Promise<unknown>,
): CleanupHandle {
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<unknown> = Promise.resolve()
  let running = true
  const schedule = () => {
    const delay = intervalMs * (0.5 + Math.random())
    timer = setTimeout(() => {
      inFlight = pass(abort.signal)
        .catch(() => {})
        .finally(() => {
          if (running) schedule()
        })
    }, delay)
    timer.unref()
  }
  schedule()
  return {
    get running() {
      return running
    },
    async stop() {
      if (!running) return inFlight.then(() => {})
      running = false
      abort.abort()
      clearTimeout(timer)
      await inFlight
    },
  }
}
