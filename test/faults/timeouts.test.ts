/**
 * Waiting faults, each bounded by a configured timeout and followed by recovery:
 * - S4 pool exhaustion: every client held by `pg_sleep` through the same pool; waiters get
 *   `ERR_STORE_POOL_TIMEOUT` at `connectionTimeoutMillis`, and no client leaks.
 * - S5 lock wait: `LOCK TABLE ... IN ACCESS EXCLUSIVE MODE` from another connection;
 *   `statement_timeout` gives `ERR_STORE_TIMEOUT` (57014).
 * - S5 slow network: the proxy adds latency beyond the client's `query_timeout`: `ERR_STORE_TIMEOUT`.
 * - S6 blackhole: the proxy swallows bytes without closing: `ERR_STORE_TIMEOUT` at `query_timeout`.
 * "On time" means within -10% and +10% plus 250 ms of slack for a loaded 2-core CI machine.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type pg from 'pg'
import { type PGStore, PgStoreError } from '../../src/index.ts'
import { type Cluster, startCluster } from './support/cluster.ts'
import { startProxy, type TcpProxy } from './support/proxy.ts'
import { cookiePair, percentile, report, sleep, storeOn } from './support/store.ts'

let cluster: Cluster
let proxy: TcpProxy
before(async () => {
  cluster = await startCluster()
  proxy = await startProxy(cluster.port)
})
after(async () => {
  await proxy?.close()
  await cluster?.destroy()
})

/** A saved session's cookie, so that `load` must query the database. */
async function savedCookie(store: PGStore): Promise<string> {
  const session = await store.load(undefined, 'sid')
  session.values.user = 'ada'
  return cookiePair(await store.commit(session))
}

interface Outcome {
  ms: number
  code: string | undefined
  kind: string | undefined
}

/** Runs `work` and reports how long it took and the typed code it failed with, if any. */
async function timed(work: () => Promise<unknown>): Promise<Outcome> {
  const start = performance.now()
  try {
    await work()
    return { ms: performance.now() - start, code: undefined, kind: undefined }
  } catch (error) {
    const typed = error instanceof PgStoreError
    return {
      ms: performance.now() - start,
      code: typed ? error.code : `untyped ${(error as Error)?.name}`,
      kind: typed ? error.kind : undefined,
    }
  }
}

function assertOnTime(outcomes: Outcome[], code: string, limitMs: number) {
  for (const outcome of outcomes) {
    assert.equal(outcome.code, code)
    assert.equal(outcome.kind, 'store')
    assert.ok(outcome.ms >= limitMs * 0.9, `failed after ${outcome.ms} ms, before ${limitMs} ms`)
    assert.ok(outcome.ms <= limitMs * 1.1 + 250, `failed after ${outcome.ms} ms, limit ${limitMs}`)
  }
}

/** The pool holds no checked-out client and no waiter, and the server sees exactly its clients. */
async function assertNoLeak(pool: pg.Pool, appName: string, max: number) {
  assert.equal(pool.waitingCount, 0)
  assert.equal(pool.idleCount, pool.totalCount)
  assert.ok(pool.totalCount <= max)
  const server = await cluster.sql(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'idle in transaction')::int AS stuck
       FROM pg_stat_activity WHERE application_name = $1`,
    [appName],
  )
  assert.equal(server.rows[0].stuck, 0)
  assert.equal(server.rows[0].n, pool.totalCount)
}

test('S4: an exhausted pool fails waiters with ERR_STORE_POOL_TIMEOUT on time and leaks nothing', {
  timeout: 60_000,
}, async () => {
  const max = 4
  const waitMs = 500
  const appName = 'pgstore-s4'
  const pool = cluster.pool({ max, connectionTimeoutMillis: waitMs, application_name: appName })
  const store = await storeOn(pool, { table: 's4_sessions' })
  const cookie = await savedCookie(store)
  await Promise.all(Array.from({ length: max }, () => pool.query('SELECT pg_sleep(0.05)')))
  const baseline = { total: pool.totalCount, idle: pool.idleCount }

  const holds = Array.from({ length: max }, () => pool.query('SELECT pg_sleep(2)'))
  while (pool.idleCount > 0) await sleep(5)
  const waiters = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      timed(async () => {
        if (i % 2 === 0) return store.load(cookie, 'sid')
        const session = await store.load(undefined, 'sid')
        session.values.n = i
        return store.commit(session)
      }),
    ),
  )
  await Promise.all(holds)
  const after = await timed(() => store.load(cookie, 'sid'))
  report('S4 pool exhaustion', {
    waiters: waiters.length,
    poolTimeouts: waiters.filter((w) => w.code === 'ERR_STORE_POOL_TIMEOUT').length,
    configuredMs: waitMs,
    minMs: Math.min(...waiters.map((w) => w.ms)),
    maxMs: Math.max(...waiters.map((w) => w.ms)),
    afterReleaseMs: after.ms,
    poolTotal: pool.totalCount,
    poolIdle: pool.idleCount,
  })
  assertOnTime(waiters, 'ERR_STORE_POOL_TIMEOUT', waitMs)
  assert.equal(after.code, undefined, 'service resumes once the clients are released')
  assert.deepEqual({ total: pool.totalCount, idle: pool.idleCount }, baseline)
  await assertNoLeak(pool, appName, max)
})

test('S5: a table lock held elsewhere gives ERR_STORE_TIMEOUT at statement_timeout, then recovers', {
  timeout: 60_000,
}, async () => {
  const appName = 'pgstore-s5-lock'
  const statementMs = 300
  const max = 10
  const pool = cluster.pool({
    max,
    connectionTimeoutMillis: 2000,
    statement_timeout: statementMs,
    application_name: appName,
  })
  const store = await storeOn(pool, { table: 's5_sessions' })
  const cookie = await savedCookie(store)
  // One warm client per request, so each measures the statement timeout and not a pool wait.
  await Promise.all(Array.from({ length: max }, () => pool.query('SELECT pg_sleep(0.05)')))
  const locker = cluster.pool({ max: 1 })
  const holder = await locker.connect()
  await holder.query('BEGIN')
  await holder.query('LOCK TABLE s5_sessions IN ACCESS EXCLUSIVE MODE')
  const blocked = await Promise.all(
    Array.from({ length: max }, (_, i) =>
      timed(async () => {
        if (i % 2 === 0) return store.load(cookie, 'sid')
        const session = await store.load(undefined, 'sid')
        session.values.n = i
        return store.commit(session)
      }),
    ),
  )
  await holder.query('COMMIT')
  holder.release()
  const recovered = await Promise.all(
    Array.from({ length: 10 }, () => timed(() => store.load(cookie, 'sid'))),
  )
  report('S5 lock wait', {
    blocked: blocked.length,
    timeouts: blocked.filter((b) => b.code === 'ERR_STORE_TIMEOUT').length,
    configuredMs: statementMs,
    maxMs: Math.max(...blocked.map((b) => b.ms)),
    recoveredOk: recovered.filter((r) => r.code === undefined).length,
  })
  assertOnTime(blocked, 'ERR_STORE_TIMEOUT', statementMs)
  assert.ok(recovered.every((r) => r.code === undefined))
  await assertNoLeak(pool, appName, max)
})

test('S5/S6: network latency and a blackhole give ERR_STORE_TIMEOUT at query_timeout, then recover', {
  timeout: 60_000,
}, async () => {
  const appName = 'pgstore-s5-net'
  const queryMs = 400
  const max = 8
  const pool = cluster.pool({
    port: proxy.port,
    max,
    connectionTimeoutMillis: 3000,
    query_timeout: queryMs,
    application_name: appName,
  })
  const store = await storeOn(pool, { table: 's5_net_sessions' })
  const cookie = await savedCookie(store)
  const warm = () =>
    Promise.all(Array.from({ length: max }, () => pool.query('SELECT pg_sleep(0.05)')))
  const burst = () =>
    Promise.all(Array.from({ length: max }, () => timed(() => store.load(cookie, 'sid'))))
  const figures: Record<string, number> = { configuredMs: queryMs }
  for (const fault of ['latency', 'blackhole'] as const) {
    await warm()
    if (fault === 'latency') proxy.latency(300)
    else proxy.blackhole(true)
    const slow = await burst()
    const healedAt = performance.now()
    proxy.latency(0)
    proxy.blackhole(false)
    let firstOk = Number.NaN
    const after: Outcome[] = []
    for (let i = 0; i < 20; i++) {
      const outcome = await timed(() => store.load(cookie, 'sid'))
      after.push(outcome)
      if (outcome.code === undefined && Number.isNaN(firstOk))
        firstOk = performance.now() - healedAt
    }
    figures[`${fault}Timeouts`] = slow.filter((s) => s.code === 'ERR_STORE_TIMEOUT').length
    figures[`${fault}MaxMs`] = Math.max(...slow.map((s) => s.ms))
    figures[`${fault}RecoveryMs`] = firstOk
    figures[`${fault}AfterP99Ms`] = percentile(
      after.map((a) => a.ms),
      99,
    )
    assertOnTime(slow, 'ERR_STORE_TIMEOUT', queryMs)
    assert.ok(firstOk <= 2000, `first success ${firstOk} ms after the network healed`)
    assert.ok(
      after.every((a) => a.code === undefined),
      `${fault}: every request after the fault succeeds`,
    )
  }
  report('S5/S6 network', figures)
  await assertNoLeak(pool, appName, max)
})
