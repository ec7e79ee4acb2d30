/**
 * Many processes behind PgBouncer (transaction pooling, default configuration): N worker processes,
 * each with its own store and its own cleanup loop, on one table with expired rows to clean. 0
 * errors, 0 lost saves, expired rows cleaned, and never two cleaners holding the cleanup lock
 * at once (pg_locks sampled every 10 ms on the server).
 */
import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { newPGStore } from '../../src/index.ts'
import { type Cluster, startCluster } from '../faults/support/cluster.ts'
import { blockKey, hashKey } from '../faults/support/store.ts'
import { type Bouncer, startPgBouncer } from './support/pgbouncer.ts'
import { figures } from './support/report.ts'

interface WorkerResult {
  ops: number
  failed: number
  errors: Record<string, number>
  lost: number
  cleanups: number
  cleanupErrors: number
}

let cluster: Cluster
let bouncer: Bouncer
before(async () => {
  cluster = await startCluster({ max_connections: '100' })
  bouncer = await startPgBouncer(cluster.port, 'transaction')
})
after(async () => {
  await bouncer?.stop()
  await cluster?.destroy()
})

const workerFile = fileURLToPath(new URL('./support/worker.ts', import.meta.url))

function worker(url: string, seconds: number, table: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(workerFile, [url, String(seconds), table], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let result: WorkerResult | undefined
    child.on('message', (message) => {
      result = message as WorkerResult
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`worker exited ${code} without a result`)),
    )
  })
}

test('4 workers behind PgBouncer, a cleaner each: 0 errors, 0 lost, one cleaner at a time', async () => {
  const table = 'workers_sessions'
  // Migrate once, then give the cleaners work.
  const setup = await newPGStore(bouncer.url, hashKey, blockKey, { table })
  await setup.close()
  await cluster.sql(
    `INSERT INTO ${table} (key, data, created_on, modified_on, expires_on)
     SELECT ('\\x' || md5(i::text))::bytea, '\\x00', now(), now(), now() - interval '1 hour'
     FROM generate_series(1, 20000) AS i`,
  )
  const samples: number[] = []
  let sampling = true
  const sampler = (async () => {
    const pool = cluster.pool({ max: 1 })
    while (sampling) {
      const rows = await pool.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`,
      )
      samples.push(rows.rows[0].n)
      await new Promise((r) => setTimeout(r, 10))
    }
  })()
  const results = await Promise.all([1, 2, 3, 4].map(() => worker(bouncer.url, 6, table)))
  sampling = false
  await sampler
  const left = await cluster.sql(`SELECT count(*)::int AS n FROM ${table} WHERE expires_on < now()`)
  const sum = (f: (r: WorkerResult) => number) => results.reduce((a, r) => a + f(r), 0)
  figures('workers behind pgbouncer', {
    workers: results.length,
    ops: sum((r) => r.ops),
    failed: sum((r) => r.failed),
    lost: sum((r) => r.lost),
    cleanupPasses: sum((r) => r.cleanups),
    cleanupErrors: sum((r) => r.cleanupErrors),
    expiredLeft: left.rows[0].n,
    lockSamples: samples.length,
    maxLockHolders: Math.max(...samples),
  })
  assert.equal(
    sum((r) => r.failed),
    0,
    JSON.stringify(results.map((r) => r.errors)),
  )
  assert.equal(
    sum((r) => r.lost),
    0,
  )
  assert.equal(
    sum((r) => r.cleanupErrors),
    0,
  )
  assert.ok(left.rows[0].n < 20000, 'the cleaners removed expired rows')
  assert.ok(samples.length > 50)
  assert.ok(Math.max(...samples) <= 1, 'never two cleanup lock holders at once')
})
