/**
 * @module A counting workload for the scale tests: each of `workers` loops owns one session and
 * increments its counter (load, change, save), so the last acknowledged count of every session is
 * known exactly and a lost acknowledged save shows as a smaller count in the database.
 */
import assert from 'node:assert/strict'
import { PgStoreError } from '../../../src/errors.ts'
import type { PGStore } from '../../../src/index.ts'
import { cookiePair } from '../../faults/support/store.ts'
import { figures } from './report.ts'

/** What a run did. */
export interface LoadResult {
  ops: number
  ok: number
  /** Failures by error code; `untyped` for anything not a PgStoreError. */
  errors: Record<string, number>
  /** Each session's cookie and its last acknowledged count. */
  sessions: Array<{ cookie: string; acked: number }>
  /** Time of each acknowledged save, in `performance.now()` ms. */
  ackTimes: number[]
  /** The longest single operation, in ms. */
  longestMs: number
  /** Loads that found a session below its last acknowledged count (or gone): lost saves. */
  regressions: number
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  workers: number
  /** Stop after this many operations in all, or when `until()` turns true. */
  ops?: number
  until?: () => boolean
  /** Pause between a worker's operations, ms. Default 0. */
  pauseMs?: number
}

/** Runs the workload on `store` (one store per process; sessions are the workers'). */
export async function runLoad(store: PGStore, options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = {
    ops: 0,
    ok: 0,
    errors: {},
    sessions: [],
    ackTimes: [],
    longestMs: 0,
    regressions: 0,
  }
  const limit = options.ops ?? Number.POSITIVE_INFINITY
  const more = () => result.ops < limit && !(options.until?.() ?? false)
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      const own = { cookie: '', acked: 0 }
      result.sessions.push(own)
      while (more()) {
        result.ops++
        const started = performance.now()
        try {
          const session = await store.load(own.cookie, 'sid')
          const before = Number(session.values.n ?? 0)
          // A session read back below its acknowledged count lost an acknowledged save.
          if (before < own.acked) result.regressions++
          session.values.n = before + 1
          const set = await store.commit(session)
          if (set) own.cookie = cookiePair(set)
          own.acked = session.values.n as number
          result.ok++
          result.ackTimes.push(performance.now())
        } catch (error) {
          const code = error instanceof PgStoreError ? error.code : 'untyped'
          result.errors[code] = (result.errors[code] ?? 0) + 1
        }
        result.longestMs = Math.max(result.longestMs, performance.now() - started)
        if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs))
      }
    }),
  )
  return result
}

/** Sessions whose stored count is below the acknowledged one (or that are gone). */
export async function lostSaves(store: PGStore, sessions: LoadResult['sessions']): Promise<number> {
  let lost = 0
  for (const own of sessions) {
    if (own.acked === 0) continue
    const session = await store.load(own.cookie, 'sid')
    if (Number(session.values.n ?? 0) < own.acked) lost++
  }
  return lost
}

/** Total failures of a run. */
export function failures(result: LoadResult): number {
  return Object.values(result.errors).reduce((a, b) => a + b, 0)
}

/**
 * After a failover under load: prints the figures and checks what every failover test promises:
 * no untyped failure, no acknowledged save lost, the first acknowledged save at most 2 s after
 * `promotedAt` (when the new primary took writes). Returns that delay.
 */
export async function checkFailover(
  name: string,
  store: PGStore,
  run: LoadResult,
  promotedAt: number,
): Promise<number> {
  const firstWriteMs = (run.ackTimes.find((t) => t > promotedAt) ?? Number.NaN) - promotedAt
  const lost = await lostSaves(store, run.sessions)
  figures(name, {
    ops: run.ops,
    acked: run.ok,
    failed: failures(run),
    errors: JSON.stringify(run.errors),
    promotionToFirstWriteMs: firstWriteMs,
    lostAcked: lost + run.regressions,
    longestOpMs: run.longestMs,
  })
  assert.equal(run.errors.untyped ?? 0, 0)
  assert.equal(lost + run.regressions, 0, 'no acknowledged save lost')
  assert.ok(firstWriteMs <= 2000, `first write ${firstWriteMs} ms after promotion`)
  return firstWriteMs
}
