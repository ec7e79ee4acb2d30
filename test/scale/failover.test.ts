/**
 * Failover to a plain streaming standby promoted with `pg_ctl promote`, with a store built from a
 * libpq multi-host URL (`target_session_attrs=read-write`) and no application code:
 * - under load, the primary killed and the standby promoted: the store finds the new primary; the
 *   time from promotion to the first acknowledged save is measured; with synchronous replication
 *   no acknowledged save is lost, and every failure is typed;
 * - durability with replication stalled (a proxy that swallows the WAL stream): asynchronous
 *   replication loses acknowledged saves, sign-outs, renewals and revocations (they come back);
 *   synchronous replication acknowledges none of them (each fails typed at its limit) and loses
 *   nothing acknowledged.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newPGStore, type PGStore, PgStoreError } from '../../src/index.ts'
import { type Cluster, startCluster } from '../faults/support/cluster.ts'
import { startProxy, type TcpProxy } from '../faults/support/proxy.ts'
import { blockKey, cookiePair, hashKey } from '../faults/support/store.ts'
import { checkFailover, lostSaves, runLoad } from './support/load.ts'
import { type Standby, startStandby, waitCaughtUp } from './support/replication.ts'
import { figures, limited } from './support/report.ts'

interface Pair {
  primary: Cluster
  standby: Standby
  proxy: TcpProxy | undefined
  url: string
  close(): Promise<void>
}

async function pair(sync: boolean, throughProxy: boolean): Promise<Pair> {
  const primary = await startCluster(sync ? { synchronous_standby_names: "'*'" } : {})
  const proxy = throughProxy ? await startProxy(primary.port) : undefined
  const standby = await startStandby(proxy?.port ?? primary.port)
  await waitCaughtUp(primary.port)
  const url = `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/postgres?target_session_attrs=read-write`
  return {
    primary,
    standby,
    proxy,
    url,
    close: async () => {
      await proxy?.close()
      await standby.destroy()
      await primary.destroy()
    },
  }
}

function storeOn(url: string, limitMs: number): Promise<PGStore> {
  return newPGStore(url, hashKey, blockKey, {
    cookie: { secure: false },
    pool: { statementTimeoutMillis: limitMs, connectionTimeoutMillis: 5000 },
  })
}

test('a killed primary and pg_ctl promote under load: the store follows, first write measured, nothing acknowledged lost (sync)', async () => {
  const topology = await pair(true, false)
  const store = await storeOn(topology.url, 2000)
  try {
    const moves: Array<{ from: string; to: string; ms: number }> = []
    store.events.on('failover', (info) => moves.push(info))
    let stop = false
    let promotedAt = Number.POSITIVE_INFINITY
    const load = runLoad(store, { workers: 8, until: () => stop, pauseMs: 5 })
    await new Promise((r) => setTimeout(r, 1500))
    await topology.primary.stop('immediate')
    await topology.standby.promote()
    promotedAt = performance.now()
    await new Promise((r) => setTimeout(r, 3000))
    stop = true
    const run = await load
    await checkFailover('failover pg_ctl promote (sync)', store, run, promotedAt)
    assert.equal(moves.at(-1)?.to, `127.0.0.1:${topology.standby.port}`)
  } finally {
    await store.close()
    await topology.close()
  }
})

interface Ledger {
  counters: Array<{ cookie: string; acked: number }>
  destroyed: string[]
  renewedOld: string[]
  revoked: string[]
}

/** Sessions of every kind, made and replicated before the stall. */
async function prepare(store: PGStore, count: number) {
  const make = async (owner?: string) => {
    const session = await store.load(undefined, 'sid')
    session.values.n = 1
    if (owner) session.owner = owner
    return cookiePair(await store.commit(session))
  }
  const list = (n: number, owner?: string) =>
    Promise.all(Array.from({ length: n }, () => make(owner)))
  return {
    counters: await list(count),
    toDestroy: await list(Math.ceil(count / 5)),
    toRenew: await list(Math.ceil(count / 5)),
    toRevoke: await list(Math.ceil(count / 10), 'revoked-user'),
  }
}

/** During the stall: increments, sign-outs, renewals, one revocation; records what was acknowledged. */
async function writeDuringStall(
  store: PGStore,
  made: Awaited<ReturnType<typeof prepare>>,
): Promise<{ ledger: Ledger; failed: Record<string, number>; longestMs: number }> {
  const ledger: Ledger = { counters: [], destroyed: [], renewedOld: [], revoked: [] }
  const failed: Record<string, number> = {}
  let longestMs = 0
  const attempt = async (work: () => Promise<void>) => {
    const started = performance.now()
    try {
      await work()
    } catch (error) {
      const code = error instanceof PgStoreError ? error.code : 'untyped'
      failed[code] = (failed[code] ?? 0) + 1
    }
    longestMs = Math.max(longestMs, performance.now() - started)
  }
  await limited(
    [
      ...made.counters.map(
        (cookie) => () =>
          attempt(async () => {
            const session = await store.load(cookie, 'sid')
            session.values.n = Number(session.values.n) + 1
            await store.commit(session)
            ledger.counters.push({ cookie, acked: session.values.n as number })
          }),
      ),
      ...made.toDestroy.map(
        (cookie) => () =>
          attempt(async () => {
            await store.destroy(await store.load(cookie, 'sid'))
            ledger.destroyed.push(cookie)
          }),
      ),
      ...made.toRenew.map(
        (cookie) => () =>
          attempt(async () => {
            const session = await store.load(cookie, 'sid')
            await store.renew(session)
            await store.commit(session)
            ledger.renewedOld.push(cookie)
          }),
      ),
      () =>
        attempt(async () => {
          await store.revokeSessions('revoked-user')
          ledger.revoked.push(...made.toRevoke)
        }),
    ],
    8,
  )
  return { ledger, failed, longestMs }
}

/** After failover: what acknowledged work the new primary does not have. */
async function audit(store: PGStore, ledger: Ledger) {
  const loads = async (cookies: string[]) => {
    let back = 0
    for (const cookie of cookies)
      if ((await store.load(cookie, 'sid')).values.n !== undefined) back++
    return back
  }
  return {
    lostIncrements: await lostSaves(store, ledger.counters),
    destroyedBack: await loads(ledger.destroyed),
    renewedBack: await loads(ledger.renewedOld),
    revokedBack: await loads(ledger.revoked),
  }
}

async function stallAndFailover(sync: boolean) {
  const topology = await pair(sync, true)
  const limit = 1500
  const store = await storeOn(topology.url, limit)
  try {
    const made = await prepare(store, 30)
    await waitCaughtUp(topology.primary.port)
    topology.proxy?.blackhole(true)
    const stall = await writeDuringStall(store, made)
    await topology.primary.stop('immediate')
    await topology.standby.promote()
    const found = await audit(store, stall.ledger)
    const acked =
      stall.ledger.counters.length +
      stall.ledger.destroyed.length +
      stall.ledger.renewedOld.length +
      stall.ledger.revoked.length
    return { stall, found, acked, limit }
  } finally {
    await store.close()
    await topology.close()
  }
}

test('asynchronous replication: a failover loses acknowledged saves, and sign-outs, renewals and revocations come back', async () => {
  const { stall, found, acked } = await stallAndFailover(false)
  figures('durability async', { acked, failed: JSON.stringify(stall.failed), ...found })
  assert.equal(Object.keys(stall.failed).length, 0, 'everything was acknowledged')
  assert.ok(found.lostIncrements > 0, 'acknowledged increments lost')
  assert.ok(found.destroyedBack > 0, 'signed-out sessions back')
  assert.ok(found.renewedBack > 0, 'renewed-away ids back')
  assert.ok(found.revokedBack > 0, 'revoked sessions back')
})

test('synchronous replication: nothing is acknowledged while the standby is stalled, each wait is bounded, nothing acknowledged is lost', async () => {
  const { stall, found, acked, limit } = await stallAndFailover(true)
  figures('durability sync', {
    acked,
    failed: JSON.stringify(stall.failed),
    limitMs: limit,
    longestWaitMs: stall.longestMs,
    ...found,
  })
  assert.equal(acked, 0, 'no write acknowledged without the standby')
  assert.ok((stall.failed.ERR_STORE_TIMEOUT ?? 0) > 0)
  assert.equal(stall.failed.untyped ?? 0, 0)
  assert.ok(stall.longestMs < limit + 2000, `longest wait ${stall.longestMs} ms`)
  assert.deepEqual(found, { lostIncrements: 0, destroyedBack: 0, renewedBack: 0, revokedBack: 0 })
})
