/**
 * PgBouncer 1.18 (Debian's) with its default configuration, in transaction and in session pooling:
 * the store connects (no startup parameter PgBouncer rejects), runs a counting workload with no
 * error and no lost save, switches to unnamed statements once in transaction pooling, keeps its
 * statement limit through the pooler (a cancelled `pg_sleep` is gone from the server), and its
 * migrations and cleanup lock work (transaction-scoped advisory locks; none left behind).
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import postgres from 'postgres'
import {
  newPGStore,
  newPGStoreFromPool,
  type PGStore,
  PgStoreError,
  postgresJsClient,
} from '../../src/index.ts'
import { toStoreError } from '../../src/pg/errors.ts'
import { type Cluster, startCluster } from '../faults/support/cluster.ts'
import { blockKey, cookiePair, hashKey } from '../faults/support/store.ts'
import { failures, lostSaves, runLoad } from './support/load.ts'
import { type Bouncer, startPgBouncer } from './support/pgbouncer.ts'
import { figures } from './support/report.ts'

let cluster: Cluster
let transactionPool: Bouncer
let sessionPool: Bouncer
const stores: PGStore[] = []
before(async () => {
  cluster = await startCluster()
  transactionPool = await startPgBouncer(cluster.port, 'transaction')
  sessionPool = await startPgBouncer(cluster.port, 'session')
})
after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await transactionPool?.stop()
  await sessionPool?.stop()
  await cluster?.destroy()
})

async function storeAt(url: string, options: Record<string, unknown> = {}): Promise<PGStore> {
  const store = await newPGStore(url, hashKey, blockKey, { cookie: { secure: false }, ...options })
  stores.push(store)
  return store
}

test('transaction pooling, default config: 0 errors, 0 lost, one switch to unnamed statements', async () => {
  const store = await storeAt(transactionPool.url, { table: 'tx_sessions' })
  const switches: string[] = []
  store.events.on('preparedStatementsOff', ({ sqlState }) => switches.push(sqlState))
  const started = performance.now()
  const run = await runLoad(store, { workers: 16, ops: 2000 })
  const seconds = (performance.now() - started) / 1000
  const lost = await lostSaves(store, run.sessions)
  figures('pgbouncer transaction', {
    ops: run.ops,
    errors: failures(run),
    lost,
    regressions: run.regressions,
    switches: switches.length,
    switchSqlState: switches[0] ?? '-',
    opsPerSec: run.ops / seconds,
  })
  assert.equal(failures(run), 0, `errors: ${JSON.stringify(run.errors)}`)
  assert.equal(lost + run.regressions, 0)
  assert.equal(switches.length, 1, 'one preparedStatementsOff event')
  assert.ok(['42P05', '26000'].includes(switches[0] as string))
})

test('transaction pooling with preparedStatements: true fails (why auto exists), typed', async () => {
  const store = await storeAt(transactionPool.url, {
    table: 'tx_named',
    preparedStatements: true,
  })
  const run = await runLoad(store, { workers: 16, ops: 300 })
  figures('pgbouncer transaction prepared', { ops: run.ops, errors: failures(run) })
  assert.ok(failures(run) > 0, 'named statements through a transaction pooler conflict')
  assert.equal(run.errors.untyped ?? 0, 0)
})

test('postgres.js with prepare: false and preparedStatements: false: 0 errors through transaction pooling', async () => {
  const sql = postgres(transactionPool.url, { prepare: false, max: 8, onnotice: () => undefined })
  try {
    const store = await newPGStoreFromPool(postgresJsClient(sql), hashKey, blockKey, {
      cookie: { secure: false },
      table: 'tx_postgresjs',
      preparedStatements: false,
    })
    const run = await runLoad(store, { workers: 16, ops: 1000 })
    const lost = await lostSaves(store, run.sessions)
    const cleaned = await store.deleteExpired()
    figures('pgbouncer transaction postgres.js', { ops: run.ops, errors: failures(run), lost })
    assert.equal(failures(run), 0, `errors: ${JSON.stringify(run.errors)}`)
    assert.equal(lost + run.regressions, 0)
    assert.equal(cleaned.locked, true)
  } finally {
    await sql.end({ timeout: 5 })
  }
})

test('session pooling, default config: 0 errors, 0 lost, statements stay prepared', async () => {
  const store = await storeAt(sessionPool.url, { table: 'session_sessions' })
  let switches = 0
  store.events.on('preparedStatementsOff', () => switches++)
  const started = performance.now()
  const run = await runLoad(store, { workers: 16, ops: 2000 })
  const seconds = (performance.now() - started) / 1000
  const lost = await lostSaves(store, run.sessions)
  figures('pgbouncer session', {
    ops: run.ops,
    errors: failures(run),
    lost,
    switches,
    opsPerSec: run.ops / seconds,
  })
  assert.equal(failures(run), 0, `errors: ${JSON.stringify(run.errors)}`)
  assert.equal(lost + run.regressions, 0)
  assert.equal(switches, 0)
})

test('the statement limit holds through the pooler: pg_sleep is cancelled on the server', async () => {
  const limit = 500
  const store = await storeAt(transactionPool.url, {
    table: 'tx_limit',
    pool: { statementTimeoutMillis: limit },
  })
  const started = performance.now()
  const error = await store.pool.query({ text: 'SELECT pg_sleep(30)' }).then(
    () => undefined,
    (e: unknown) => toStoreError(e, 'sleep'),
  )
  const waited = performance.now() - started
  assert.equal(error?.code, 'ERR_STORE_TIMEOUT')
  // The cancel went through PgBouncer: the server stops sleeping (it would for 30 s).
  let sleeping = 1
  const cancelStarted = performance.now()
  while (sleeping > 0 && performance.now() - cancelStarted < 3000) {
    const rows = await cluster.sql(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'`,
    )
    sleeping = rows.rows[0].n
    if (sleeping > 0) await new Promise((r) => setTimeout(r, 50))
  }
  const gone = performance.now() - cancelStarted
  figures('pgbouncer statement limit', { limitMs: limit, waitedMs: waited, serverStoppedMs: gone })
  assert.ok(waited < limit + 250, `waited ${waited} ms`)
  assert.equal(sleeping, 0, 'the server stopped the statement')

  // A store operation behind a lock: typed, on time.
  const session = await store.load(undefined, 'sid')
  session.values.user = 'ada'
  const cookie = cookiePair(await store.commit(session))
  const holder = cluster.pool({ max: 1 })
  const held = await holder.connect()
  await held.query('BEGIN')
  await held.query('LOCK TABLE tx_limit IN ACCESS EXCLUSIVE MODE')
  const lockStarted = performance.now()
  const blocked = await store.load(cookie, 'sid').then(
    () => undefined,
    (e: unknown) => e,
  )
  const lockWaited = performance.now() - lockStarted
  await held.query('ROLLBACK')
  held.release()
  assert.ok(blocked instanceof PgStoreError && blocked.code === 'ERR_STORE_TIMEOUT')
  assert.ok(lockWaited < limit + 250, `waited ${lockWaited} ms`)
  assert.equal((await store.load(cookie, 'sid')).values.user, 'ada', 'recovers')
})

test('migrations and the cleanup lock work through transaction pooling and leave no lock', async () => {
  const table = 'tx_cleanup'
  // Four stores migrate one new table at once: they queue on the migration lock.
  const four = await Promise.all([1, 2, 3, 4].map(() => storeAt(transactionPool.url, { table })))
  await cluster.sql(
    `INSERT INTO ${table} (key, data, created_on, modified_on, expires_on)
     SELECT ('\\x' || md5(i::text))::bytea, '\\x00', now(), now(), now() - interval '1 hour'
     FROM generate_series(1, 3000) AS i`,
  )
  const reports = await Promise.all(four.map((s) => s.deleteExpired({ batchSize: 100 })))
  const deleted = reports.reduce((a, r) => a + r.deleted, 0)
  const left = await cluster.sql(`SELECT count(*)::int AS n FROM ${table}`)
  const locks = await cluster.sql(
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`,
  )
  figures('pgbouncer cleanup', {
    deleted,
    left: left.rows[0].n,
    advisoryLocksAfter: locks.rows[0].n,
  })
  assert.ok(reports.some((r) => r.locked))
  assert.equal(left.rows[0].n + deleted, 3000)
  assert.equal(locks.rows[0].n, 0, 'no advisory lock outlives its transaction')
  const migrations = await cluster.sql(
    'SELECT count(*)::int AS n FROM pgstore_migrations WHERE table_name = $1',
    [table],
  )
  const shipped = (await readdir(new URL('../../migrations/', import.meta.url))).length
  assert.equal(migrations.rows[0].n, shipped, 'each migration applied once')
})

test('PgBouncer waiting for a server connection: the store fails typed at its limit', async () => {
  const small = await startPgBouncer(cluster.port, 'transaction', { default_pool_size: '1' })
  try {
    const limit = 500
    const store = await storeAt(small.url, {
      table: 'tx_wait',
      pool: { statementTimeoutMillis: limit },
    })
    const session = await store.load(undefined, 'sid')
    session.values.user = 'ada'
    const cookie = cookiePair(await store.commit(session))
    // Another client holds PgBouncer's only server connection in an open transaction.
    const other = new (await import('pg')).default.Client({ connectionString: small.url })
    other.on('error', () => undefined)
    await other.connect()
    await other.query('BEGIN')
    await other.query('SELECT 1')
    const started = performance.now()
    const error = await store.load(cookie, 'sid').then(
      () => undefined,
      (e: unknown) => e,
    )
    const waited = performance.now() - started
    const pools = await small.admin('SHOW POOLS')
    await other.query('ROLLBACK')
    await other.end()
    figures('pgbouncer queued', { limitMs: limit, waitedMs: waited })
    assert.ok(error instanceof PgStoreError && error.code === 'ERR_STORE_TIMEOUT')
    assert.ok(waited < limit + 250, `waited ${waited} ms`)
    assert.ok(pools.length > 0)
    assert.equal((await store.load(cookie, 'sid')).values.user, 'ada', 'recovers')
  } finally {
    await small.stop()
  }
})
