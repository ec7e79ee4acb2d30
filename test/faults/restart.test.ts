/**
 * S1/S2: PostgreSQL restarted fast (`pg_ctl restart -m fast`) and crashed (`-m immediate`, crash
 * recovery on start) in the middle of a run of mixed requests through the store core.
 *
 * Pass: 0 acknowledged saves lost (every session read back with SQL and the store's codec),
 * 0 resurrected sessions, 0 crashes or unhandled rejections, every failed request a typed
 * `PgStoreError` of kind `store`, and the first success within 2 s of the server accepting
 * connections again. Scale with FAULT_OPS (default 10000) and FAULT_CONCURRENCY (default 16).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import pg from 'pg'
import type { PGStore } from '../../src/index.ts'
import { type Cluster, startCluster } from './support/cluster.ts'
import { percentile, report, sleep, storeOn, watchCrashes } from './support/store.ts'
import { Workload } from './support/workload.ts'

const total = Number(process.env.FAULT_OPS) || 10_000
const concurrency = Number(process.env.FAULT_CONCURRENCY) || 16

let cluster: Cluster
let store: PGStore
let pool: pg.Pool
before(async () => {
  cluster = await startCluster()
  pool = cluster.pool({
    max: 10,
    connectionTimeoutMillis: 2000,
    statement_timeout: 5000,
    application_name: 'pgstore-restart',
  })
  store = await storeOn(pool)
})
after(() => cluster?.destroy())

/**
 * Polls a fresh connection every 10 ms from `since`; resolves with the first moment a connection
 * succeeds after one has failed (the server is accepting connections again).
 */
async function acceptingAgain(url: string, stopAfterMs: number): Promise<number | undefined> {
  let sawDown = false
  const deadline = performance.now() + stopAfterMs
  while (performance.now() < deadline) {
    const attempt = performance.now()
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 })
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.query('SELECT 1')
      await client.end()
      if (sawDown) return attempt
    } catch {
      sawDown = true
      await client.end().catch(() => undefined)
    }
    await sleep(10)
  }
  return undefined
}

async function scenario(label: string, mode: 'fast' | 'immediate') {
  const workload = new Workload(store)
  await workload.seed(concurrency, 8)
  const crashes = watchCrashes()
  let faultAt = 0
  let accepting: Promise<number | undefined> = Promise.resolve(undefined)
  let restarted: Promise<unknown> = Promise.resolve()
  let restartDone = 0
  const result = await workload.run({
    total,
    concurrency,
    sessionsPerWorker: 8,
    faultAt: Math.floor(total * 0.3),
    backoffMs: 25,
    fault: () => {
      faultAt = performance.now()
      accepting = acceptingAgain(cluster.url, 30_000)
      restarted = cluster.restart(mode).then(() => {
        restartDone = performance.now()
      })
    },
  })
  await restarted
  const acceptedAt = (await accepting) ?? restartDone
  crashes.stop()
  const audit = await workload.auditRows(cluster.url, 'http_sessions')

  const firstFailure = Math.min(...result.ops.filter((o) => !o.ok).map((o) => o.start))
  const recoveredAt = Math.min(
    ...result.ops
      .filter((o) => o.ok && o.start > firstFailure && o.end > acceptedAt)
      .map((o) => o.end),
  )
  const latencies = result.ops.filter((o) => o.ok).map((o) => o.end - o.start)
  const figures = {
    ops: result.ops.length,
    failed: result.failures,
    untyped: result.untyped.length,
    ackedSaves: result.ackedSaves,
    audited: audit.checked,
    lostAcked: audit.lost,
    resurrected: audit.resurrected + result.resurrectedReads,
    staleReads: result.staleReads,
    missingOnRead: result.missingOnRead,
    crashes: crashes.count,
    outageMs: acceptedAt - faultAt,
    firstSuccessAfterAcceptMs: Math.max(0, recoveredAt - acceptedAt),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
  report(label, figures)

  assert.equal(result.ops.length, total)
  assert.ok(result.failures > 0, 'the fault must have hit some requests')
  assert.deepEqual(result.untyped, [], 'every failure is a PgStoreError of kind store')
  assert.equal(crashes.count, 0)
  assert.equal(audit.lost, 0, 'acknowledged saves lost')
  assert.equal(figures.resurrected, 0, 'destroyed sessions back')
  assert.equal(result.staleReads, 0)
  assert.equal(result.missingOnRead, 0)
  assert.ok(Number.isFinite(recoveredAt), 'requests succeed again after the restart')
  assert.ok(
    figures.firstSuccessAfterAcceptMs <= 2000,
    `first success ${figures.firstSuccessAfterAcceptMs} ms after the server accepted connections`,
  )
  // The pool holds no more than its maximum and nobody waits once the run is over.
  assert.ok(pool.totalCount <= 10)
  assert.equal(pool.waitingCount, 0)
}

test(
  'S1: a fast restart mid-run loses no acknowledged save and every failure is typed',
  {
    timeout: 90_000,
  },
  () => scenario('S1 fast restart', 'fast'),
)

test(
  'S2: a crash (immediate shutdown) mid-run loses no acknowledged save',
  {
    timeout: 90_000,
  },
  () => scenario('S2 crash', 'immediate'),
)
