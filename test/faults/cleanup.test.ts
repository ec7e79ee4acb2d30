/**
 * S9 concurrent cleaners: four PGStore instances, each on its own pool, run `deleteExpired` at the
 * same time on a table of CLEANUP_ROWS rows (default 200000; 1000000 for the full figure), half
 * of them expired. `pg_locks` is sampled every 10 ms: at most one advisory-lock holder at a time.
 * Afterwards every expired row is gone and every live row is still there.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import pg from 'pg'
import type { PGStore } from '../../src/index.ts'
import { type Cluster, startCluster } from './support/cluster.ts'
import { percentile, report, sleep, storeOn } from './support/store.ts'

const rows = Number(process.env.CLEANUP_ROWS) || 200_000
const cleaners = 4
const batchSize = 1000

let cluster: Cluster
let stores: PGStore[]
before(async () => {
  cluster = await startCluster()
  stores = []
  for (let i = 0; i < cleaners; i++) {
    const pool = cluster.pool({ max: 2, application_name: `cleaner-${i}` })
    stores.push(await storeOn(pool, { cleanupBatchSize: batchSize }))
  }
})
after(() => cluster?.destroy())

const counts = async () =>
  (
    await cluster.sql(
      `SELECT count(*) FILTER (WHERE expires_on < now())::int AS expired,
              count(*) FILTER (WHERE expires_on >= now())::int AS live FROM http_sessions`,
    )
  ).rows[0] as { expired: number; live: number }

test(`S9: ${cleaners} cleaners at once on ${rows} rows: one lock holder at a time, only expired rows go`, {
  timeout: 180_000,
}, async () => {
  await cluster.sql(
    `INSERT INTO http_sessions (key, data, created_on, modified_on, expires_on)
     SELECT convert_to('k' || g, 'UTF8'), '\\x00'::bytea, now() - interval '2 hours',
            now() - interval '2 hours',
            CASE WHEN g % 2 = 0 THEN now() - interval '1 hour' ELSE now() + interval '1 day' END
       FROM generate_series(1, $1::int) AS g`,
    [rows],
  )
  await cluster.sql('ANALYZE http_sessions')
  const before = await counts()

  const sampler = new pg.Client({ connectionString: cluster.url })
  await sampler.connect()
  let sampling = true
  const samples: number[] = []
  const sampled = (async () => {
    while (sampling) {
      const result = await sampler.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`,
      )
      samples.push(result.rows[0].n as number)
      await sleep(10)
    }
  })()

  let done = false
  let shortBatches = 0
  const started = performance.now()
  const batchMs: number[] = []
  const perCleaner = await Promise.all(
    stores.map(async (store) => {
      let deleted = 0
      let passes = 0
      while (!done) {
        const pass = await store.deleteExpired()
        passes++
        deleted += pass.deleted
        if (pass.locked && pass.batches > 0) batchMs.push(pass.longestBatchMs)
        // A pass ends at a short batch, and a batch can come up short while rows remain (see
        // wastedBatches): a cron would simply run again, so stop only when none are left.
        if (pass.locked && pass.batches > 0 && pass.deleted < pass.batches * batchSize) {
          shortBatches++
          const left = await store.pool.query({
            text: 'SELECT EXISTS (SELECT 1 FROM http_sessions WHERE expires_on < now()) AS any',
          })
          if (!(left.rows[0] as { any: boolean }).any) done = true
        } else if (!pass.locked) await sleep(2)
      }
      return { deleted, passes }
    }),
  )
  const elapsed = performance.now() - started
  sampling = false
  await sampled
  await sampler.end()
  const afterwards = await counts()
  const deleted = perCleaner.reduce((n, c) => n + c.deleted, 0)
  report('S9 cleanup', {
    rows,
    expiredBefore: before.expired,
    liveBefore: before.live,
    deleted,
    deletedPerCleaner: perCleaner.map((c) => c.deleted).join('/'),
    expiredAfter: afterwards.expired,
    liveAfter: afterwards.live,
    samples: samples.length,
    samplesWithHolder: samples.filter((n) => n > 0).length,
    maxHolders: Math.max(...samples),
    shortPasses: shortBatches,
    longestBatchMs: Math.max(...batchMs),
    p50LongestBatchMs: percentile(batchMs, 50),
    seconds: elapsed / 1000,
  })
  assert.equal(before.expired, rows / 2)
  assert.ok(samples.filter((n) => n > 0).length > 0, 'the sampler saw the lock held')
  assert.ok(Math.max(...samples) <= 1, 'never two advisory lock holders at once')
  assert.equal(afterwards.expired, 0, 'every expired row is gone')
  assert.equal(afterwards.live, before.live, 'no live row was deleted')
  assert.equal(deleted, before.expired, 'rows deleted = rows expired')
})
