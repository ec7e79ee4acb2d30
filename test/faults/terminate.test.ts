/**
 * S3: every 500 ms, all of the store's backends are killed (`pg_terminate_backend` by
 * `application_name`) while mixed requests run. The pool must discard the dead clients: requests
 * that neither overlap a kill nor start within 50 ms after one succeed at >= 99.9%, and no
 * acknowledged save is lost. Scale with FAULT_S3_OPS (default 6000).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import pg from 'pg'
import type { PGStore } from '../../src/index.ts'
import { type Cluster, startCluster } from './support/cluster.ts'
import { report, storeOn, watchCrashes } from './support/store.ts'
import { Workload } from './support/workload.ts'

const total = Number(process.env.FAULT_S3_OPS) || 6000
const appName = 'pgstore-s3'

let cluster: Cluster
let store: PGStore
let pool: pg.Pool
before(async () => {
  cluster = await startCluster()
  pool = cluster.pool({ max: 10, connectionTimeoutMillis: 2000, application_name: appName })
  store = await storeOn(pool)
})
after(() => cluster?.destroy())

test('S3: backends killed every 500 ms: requests clear of a kill succeed >= 99.9%', {
  timeout: 90_000,
}, async () => {
  const killer = new pg.Client({ connectionString: cluster.url, application_name: 'killer' })
  await killer.connect()
  const kills: Array<{ from: number; to: number; killed: number }> = []
  let timer: NodeJS.Timeout | undefined
  let killing: Promise<void> = Promise.resolve()
  const kill = () => {
    killing = (async () => {
      const from = performance.now()
      const result = await killer.query(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed
           FROM pg_stat_activity WHERE application_name = $1`,
        [appName],
      )
      kills.push({ from, to: performance.now(), killed: result.rows[0].killed as number })
    })()
  }
  const workload = new Workload(store)
  await workload.seed(16, 8)
  const crashes = watchCrashes()
  const result = await workload.run({
    total,
    concurrency: 16,
    sessionsPerWorker: 8,
    faultAt: 0,
    backoffMs: 0,
    fault: () => {
      timer = setInterval(kill, 500)
    },
  })
  clearInterval(timer)
  await killing
  await killer.end()
  crashes.stop()
  const audit = await workload.auditRows(cluster.url, 'http_sessions')

  const exposed = (op: { start: number; end: number }) =>
    kills.some((k) => op.start <= k.to + 50 && op.end >= k.from)
  const clear = result.ops.filter((op) => !exposed(op))
  const clearOk = clear.filter((op) => op.ok).length
  const rate = clear.length === 0 ? 0 : clearOk / clear.length
  report('S3 terminate', {
    ops: result.ops.length,
    kills: kills.length,
    backendsKilled: kills.reduce((n, k) => n + k.killed, 0),
    failed: result.failures,
    untyped: result.untyped.length,
    clearOps: clear.length,
    clearFailed: clear.length - clearOk,
    clearSuccessPct: rate * 100,
    lostAcked: audit.lost,
    crashes: crashes.count,
  })

  assert.ok(kills.length >= 3, 'several kills happened during the run')
  assert.ok(
    kills.some((k) => k.killed > 0),
    'the kills hit the store backends',
  )
  assert.deepEqual(result.untyped, [])
  assert.equal(crashes.count, 0)
  assert.equal(audit.lost, 0)
  assert.equal(audit.resurrected + result.resurrectedReads, 0)
  assert.ok(clear.length > total / 2, 'most requests ran clear of a kill')
  assert.ok(rate >= 0.999, `success rate clear of kills ${(rate * 100).toFixed(2)}%`)
})
