/**
 * Bounded waits of a store built by `newPGStore`, whatever the server does: a black-holed
 * connection (bytes swallowed, never closed) and a commit waiting for a synchronous standby that
 * is not there. Each operation fails typed (`ERR_STORE_TIMEOUT`) within its statement limit plus a
 * margin for the reconnect, and the store works again once the fault is gone. (A pooler queueing
 * for a server is in pgbouncer.test.ts; a stalled standby under failover in failover.test.ts.)
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { newPGStore, type PGStore, PgStoreError } from '../../src/index.ts'
import { type Cluster, startCluster } from '../faults/support/cluster.ts'
import { startProxy, type TcpProxy } from '../faults/support/proxy.ts'
import { blockKey, cookiePair, hashKey } from '../faults/support/store.ts'
import { figures } from './support/report.ts'

const limit = 500
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

async function timed(work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now()
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  )
  return { ms: performance.now() - started, error }
}

function storeAt(port: number, table: string): Promise<PGStore> {
  return newPGStore(`postgres://postgres@127.0.0.1:${port}/postgres`, hashKey, blockKey, {
    cookie: { secure: false },
    table,
    pool: { statementTimeoutMillis: limit, connectionTimeoutMillis: limit },
  })
}

test('a black-holed connection: every operation fails typed on time, then recovers', async () => {
  const store = await storeAt(proxy.port, 'blackhole_sessions')
  try {
    const session = await store.load(undefined, 'sid')
    session.values.n = 1
    const cookie = cookiePair(await store.commit(session))
    proxy.blackhole(true)
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => timed(() => store.load(cookie, 'sid'))),
    )
    proxy.blackhole(false)
    proxy.cut()
    const longest = Math.max(...outcomes.map((o) => o.ms))
    const codes = new Set(outcomes.map((o) => (o.error as PgStoreError | undefined)?.code))
    const recovered = await timed(() => store.load(cookie, 'sid'))
    figures('bounded blackhole', { limitMs: limit, ops: outcomes.length, longestMs: longest })
    assert.ok(outcomes.every((o) => o.error instanceof PgStoreError))
    assert.ok([...codes].every((c) => c === 'ERR_STORE_TIMEOUT' || c === 'ERR_STORE_POOL_TIMEOUT'))
    assert.ok(longest < 2 * limit + 500, `longest ${longest} ms`)
    assert.equal(recovered.error, undefined)
  } finally {
    await store.close()
  }
})

test('a commit waiting for an absent synchronous standby: typed at the limit, not 15 s later', async () => {
  const store = await storeAt(cluster.port, 'syncwait_sessions')
  try {
    const session = await store.load(undefined, 'sid')
    session.values.n = 1
    const cookie = cookiePair(await store.commit(session))
    await cluster.sql(`ALTER SYSTEM SET synchronous_standby_names = 'nobody'`)
    await cluster.sql('SELECT pg_reload_conf()')
    await new Promise((r) => setTimeout(r, 200))
    const loaded = await store.load(cookie, 'sid')
    loaded.values.n = 2
    const save = await timed(() => store.commit(loaded))
    await cluster.sql(`ALTER SYSTEM RESET synchronous_standby_names`)
    await cluster.sql('SELECT pg_reload_conf()')
    figures('bounded sync wait', { limitMs: limit, waitedMs: save.ms })
    assert.ok(save.error instanceof PgStoreError && save.error.code === 'ERR_STORE_TIMEOUT')
    assert.ok(save.ms < limit + 250, `waited ${save.ms} ms`)
    await new Promise((r) => setTimeout(r, 200))
    const again = await store.load(cookie, 'sid')
    again.values.n = 3
    await store.commit(again)
  } finally {
    await store.close()
  }
})
