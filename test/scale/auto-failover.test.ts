/**
 * A real failover with pg_auto_failover (a monitor and two nodes): the store is built from the URL
 * `pg_autoctl show uri --formation default` hands out, and no application code reacts to the
 * failover. Under load, `pg_autoctl perform switchover`, then a killed primary: every failure is
 * typed, no acknowledged save is lost (pg_auto_failover's default: synchronous replication to the
 * standby), and the first acknowledged save comes at most 2 s after the new primary takes writes.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { newPGStore, type PGStore } from '../../src/index.ts'
import { blockKey, hashKey } from '../faults/support/store.ts'
import { type Formation, readOnly, startFormation } from './support/auto-failover.ts'
import { checkFailover, runLoad } from './support/load.ts'
import { figures } from './support/report.ts'

let formation: Formation
let store: PGStore
let uri: string
before(async () => {
  const started = performance.now()
  formation = await startFormation()
  // node-postgres reads sslmode=prefer as verify-full, and these nodes run without TLS; the URL
  // names no user (libpq would take the OS user's name).
  uri = (await formation.uri())
    .replace('sslmode=prefer', 'sslmode=disable')
    .replace('postgres://', 'postgres://postgres@')
  figures('pg_auto_failover up', { seconds: (performance.now() - started) / 1000 })
  store = await newPGStore(uri, hashKey, blockKey, {
    cookie: { secure: false },
    pool: { statementTimeoutMillis: 2000, connectionTimeoutMillis: 5000 },
  })
})
after(async () => {
  await store?.close()
  await formation?.destroy()
})

/** Resolves with the time `port` first answers read-write. */
async function promotedAt(port: number, stop: () => boolean): Promise<number> {
  while (!stop()) {
    if ((await readOnly(port)) === false) return performance.now()
    await new Promise((r) => setTimeout(r, 25))
  }
  return Number.NaN
}

async function underLoad(name: string, fault: () => Promise<void>) {
  const before = await formation.primary()
  const next = formation.nodes.find((n) => n !== before)
  assert.ok(before && next)
  const moves: string[] = []
  const onMove = (info: { to: string }) => moves.push(info.to)
  store.events.on('failover', onMove)
  let stop = false
  const load = runLoad(store, { workers: 8, until: () => stop, pauseMs: 5 })
  await new Promise((r) => setTimeout(r, 1500))
  const promotion = promotedAt(next.port, () => stop)
  await fault()
  const promoted = await promotion
  await new Promise((r) => setTimeout(r, 3000))
  stop = true
  const run = await load
  store.events.off('failover', onMove)
  await checkFailover(name, store, run, promoted)
  assert.equal(moves.at(-1), `127.0.0.1:${next.port}`)
}

test('pg_autoctl perform switchover under load: followed with no application code', async () => {
  await underLoad('pg_auto_failover switchover', () => formation.switchover())
  await formation.settled()
})

test('a killed primary under load: the monitor promotes the standby, the store follows', async () => {
  const primary = await formation.primary()
  assert.ok(primary)
  await underLoad('pg_auto_failover killed primary', () => primary.kill())
})
