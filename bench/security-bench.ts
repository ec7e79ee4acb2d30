/**
 * @module What the security guarantees cost, each measured against the code without it in the
 * same run (same server, same pool, rounds interleaved so drift hits both sides alike):
 *
 * - express-session store `set` of a loaded session: UPDATE only, vs the former upsert;
 *   `set` of a session it does not know: upsert unless the id was ended, vs the former upsert;
 *   `destroy`: DELETE and the ended-id record, vs a plain DELETE.
 * - PGStore reads (`load` of a live session by its cookie) with `hashIds` (SHA-256 and HMAC) vs
 *   plain ids. The goal is at most 3% fewer reads per second.
 *
 * Run: `npm run bench:security` (PostgreSQL as for `npm run bench`). Prints one table; the figures
 * in docs/security.md come from it.
 */
import session from 'express-session'
import pg from 'pg'
import {
  type ExpressSessionData,
  type ExpressSessionStore,
  expressSessionStore,
} from '../src/adapters/express-session.ts'
import { encodeMulti } from '../src/codec/index.ts'
import { rowKeyFor } from '../src/pg/hashed-ids.ts'
import { newPGStoreFromPool } from '../src/pg/new-pg-store.ts'
import type { PGStore } from '../src/pg/pg-store.ts'
import { openBenchDatabase } from './database.ts'

const concurrency = 8
const rounds = Number(process.env.ROUNDS ?? 5)
const opsPerRound = Number(process.env.OPS ?? 4000)
const sessions = 1000
const hashKey = Buffer.from('bench-hash-key-0123456789abcdefghij')
const blockKey = Buffer.from('bench-block-key-0123456789abcdef')

/** This process's CPU time (user + system) per operation of the last {@link opsPerSecond}, µs. */
let lastCpuPerOp = 0

/**
 * Runs `op(i)` for i in [0, n) on `concurrency` lanes; returns operations per second, and records
 * this process's CPU per operation: unlike the rate, it does not move when other work on the
 * machine takes the cores.
 */
async function opsPerSecond(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await op(next++)
    }),
  )
  const used = process.cpuUsage(cpu)
  lastCpuPerOp = (used.user + used.system) / n
  return n / ((performance.now() - started) / 1000)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

/** Interleaves the cases round by round; returns each case's median ops/s. */
async function compare(
  cases: Record<string, (round: number, i: number) => Promise<unknown>>,
): Promise<Record<string, number>> {
  const seen: Record<string, number[]> = {}
  const cpu: Record<string, number[]> = {}
  // One untimed round first: connections opened, statements prepared, caches warm.
  for (const op of Object.values(cases)) await opsPerSecond(opsPerRound / 4, (i) => op(-1, i))
  for (let round = 0; round < rounds; round++) {
    for (const [name, op] of Object.entries(cases)) {
      const rate = await opsPerSecond(opsPerRound, (i) => op(round, i))
      const list = seen[name] ?? []
      list.push(rate)
      seen[name] = list
      const cpuList = cpu[name] ?? []
      cpuList.push(lastCpuPerOp)
      cpu[name] = cpuList
    }
  }
  for (const [name, xs] of Object.entries(cpu)) cpuPerOp[name] = median(xs)
  return Object.fromEntries(Object.entries(seen).map(([name, xs]) => [name, median(xs)]))
}

/** Median CPU µs per operation of every case {@link compare} ran, by name. */
const cpuPerOp: Record<string, number> = {}

async function cookiesFor(store: PGStore): Promise<string[]> {
  const cookies: string[] = []
  for (let i = 0; i < sessions; i++) {
    const s = await store.load(undefined, 'sid')
    s.values.user = `user-${i}`
    s.values.cart = [1, 2, 3]
    cookies.push((await store.commit(s)) ?? '')
  }
  return cookies
}

async function expressCosts(pool: pg.Pool, store: PGStore) {
  const Store = expressSessionStore(session)
  const es = new Store({ store }) as unknown as ExpressSessionStore & {
    createSession(req: unknown, sess: unknown): ExpressSessionData
  }
  const cookie = (): ExpressSessionData['cookie'] => ({
    expires: new Date(Date.now() + 3_600_000),
    originalMaxAge: 3_600_000,
  })
  const sids = Array.from({ length: sessions }, (_, i) => `bench-sid-${i}`)
  for (const sid of sids) await es.set(sid, { cookie: cookie(), user: sid } as ExpressSessionData)
  // The loaded sessions, as express-session makes them from `get`.
  const loaded = await Promise.all(
    sids.map(async (sid) => es.createSession({ sessionID: sid }, await es.get(sid))),
  )
  const upsert = `INSERT INTO ${store.table.qualified} AS s (key, data, created_on, modified_on,
      expires_on, version) VALUES ($1, $2, now(), now(), $3::timestamptz, 1)
      ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, modified_on = now(),
      expires_on = EXCLUDED.expires_on, version = s.version + 1`
  const data = (await pool.query(`SELECT data FROM ${store.table.qualified} LIMIT 1`)).rows[0].data
  const set = await compare({
    // The former set: the same encoding, then the upsert.
    'former upsert': (_r, i) => {
      const sess = loaded[i % sessions]
      const encoded = encodeMulti('connect.sid', JSON.stringify(sess), store.unboundedCodecs)
      return pool.query(upsert, [
        Buffer.from(sids[i % sessions] ?? ''),
        Buffer.from(encoded, 'latin1'),
        sess?.cookie?.expires,
      ])
    },
    'set, loaded session (UPDATE only)': (_r, i) =>
      es.set(sids[i % sessions] ?? '', loaded[i % sessions] as ExpressSessionData),
    'set, unknown session (upsert unless ended)': (_r, i) =>
      es.set(sids[i % sessions] ?? '', { cookie: cookie(), user: 'x' } as ExpressSessionData),
  })
  // Each destroy needs a row of its own: every round writes fresh ones first (not timed).
  const fresh = async (prefix: string, round: number) => {
    await pool.query(
      `INSERT INTO ${store.table.qualified} (key, data, created_on, modified_on, expires_on)
       SELECT convert_to($1 || $2 || '-' || i, 'UTF8'), $3, now(), now(), now() + interval '1 hour'
       FROM generate_series(0, $4 - 1) i`,
      [prefix, round, data, opsPerRound],
    )
  }
  const destroyed: Record<string, number[]> = { 'former DELETE': [], 'destroy + ended record': [] }
  const destroyCpu: Record<string, number[]> = { 'former DELETE': [], 'destroy + ended record': [] }
  const timed = async (name: string, op: (i: number) => Promise<unknown>) => {
    destroyed[name]?.push(await opsPerSecond(opsPerRound, op))
    destroyCpu[name]?.push(lastCpuPerOp)
  }
  for (let round = 0; round < rounds; round++) {
    await fresh('plain', round)
    await fresh('ended', round)
    await timed('former DELETE', (i) =>
      pool.query(`DELETE FROM ${store.table.qualified} WHERE key = $1`, [
        Buffer.from(`plain${round}-${i}`),
      ]),
    )
    await timed('destroy + ended record', (i) => es.destroy(`ended${round}-${i}`))
  }
  for (const [name, xs] of Object.entries(destroyCpu)) cpuPerOp[name] = median(xs)
  return {
    ...set,
    ...Object.fromEntries(Object.entries(destroyed).map(([k, xs]) => [k, median(xs)])),
  }
}

async function hashCosts(pool: pg.Pool) {
  const options = { cookie: { secure: false }, touchAfter: 3600 }
  const plain = await newPGStoreFromPool(pool, hashKey, blockKey, { ...options, table: 'plain' })
  const sha = await newPGStoreFromPool(pool, hashKey, blockKey, {
    ...options,
    table: 'sha',
    hashIds: true,
  })
  const hmac = await newPGStoreFromPool(pool, hashKey, blockKey, {
    ...options,
    table: 'hmac',
    hashIds: 'bench-at-rest-key-0123456789abcdef',
  })
  const cookies = new Map<PGStore, string[]>()
  for (const store of [plain, sha, hmac]) cookies.set(store, await cookiesFor(store))
  const read = (store: PGStore) => async (_r: number, i: number) => {
    const s = await store.load(cookies.get(store)?.[i % sessions], 'sid')
    if (s.isNew) throw new Error('bench: a live session did not load')
  }
  return compare({
    'load, plain ids': read(plain),
    'load, hashIds: true (SHA-256)': read(sha),
    'load, hashIds: key (HMAC-SHA256)': read(hmac),
  })
}

async function main() {
  const db = await openBenchDatabase()
  const admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
  await admin.query('DROP SCHEMA IF EXISTS bench_security CASCADE')
  await admin.query('CREATE SCHEMA bench_security')
  const pool = new pg.Pool({
    connectionString: db.url,
    max: concurrency,
    options: '-c search_path=bench_security',
  })
  try {
    const store = await newPGStoreFromPool(pool, hashKey, blockKey, { cookie: { secure: false } })
    const express = await expressCosts(pool, store)
    const hashed = await hashCosts(pool)
    console.log(`security costs: median of ${rounds} interleaved rounds of ${opsPerRound} ops,`)
    console.log(`${concurrency} concurrent, ${db.serverVersion.split(' on ')[0]}`)
    const line = (name: string, rate: number, base: number) => {
      const change = `${(((rate - base) / base) * 100).toFixed(1)}%`.padStart(7)
      const cpu = `${(cpuPerOp[name] ?? 0).toFixed(0)} µs CPU/op`.padStart(15)
      console.log(`${name.padEnd(44)} ${rate.toFixed(0).padStart(8)} ops/s ${change} ${cpu}`)
    }
    const e = express as Record<string, number>
    const h = hashed as Record<string, number>
    for (const name of Object.keys(e).slice(0, 3)) line(name, e[name] ?? 0, e['former upsert'] ?? 1)
    for (const name of ['former DELETE', 'destroy + ended record'])
      line(name, e[name] ?? 0, e['former DELETE'] ?? 1)
    for (const name of Object.keys(h)) line(name, h[name] ?? 0, h['load, plain ids'] ?? 1)
    // The CPU the mode adds to a read, independent of the database's noise.
    for (const [name, hashIds] of [
      ['SHA-256', true],
      ['HMAC-SHA256', 'bench-at-rest-key-0123456789abcdef'],
    ] as const) {
      const key = rowKeyFor(hashIds)
      const n = 200_000
      const started = process.cpuUsage()
      for (let i = 0; i < n; i++)
        key(`ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQR${i % 10}A`)
      const used = process.cpuUsage(started)
      const us = (used.user + used.system) / n
      const share = (us / (cpuPerOp['load, plain ids'] ?? 1)) * 100
      console.log(
        `${`${name} of one id`.padEnd(44)} ${us.toFixed(2).padStart(8)} µs CPU (${share.toFixed(2)}% of a plain load's CPU in this process)`,
      )
    }
  } finally {
    await pool.end()
    await admin.query('DROP SCHEMA IF EXISTS bench_security CASCADE')
    await admin.end()
    await db.close()
  }
}

await main()
