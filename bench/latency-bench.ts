/**
 * @module Get latency against the table size: `store.load` of an existing session, in process,
 * one at a time, on a small table (10 thousand rows) and a big one (1 million, or 10 million with
 * `BENCH_BIG=1`). Filler rows are made by `generate_series` with random-looking 52-byte keys, so
 * the lookups land all over the key index. The two tables are measured in alternating blocks, so
 * a busy moment of the machine hits both alike.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { newPGStoreFromPool } from '../src/pg/new-pg-store.ts'
import type { PGStore } from '../src/pg/pg-store.ts'
import { percentile, Samples } from './stats.ts'
import { setupPgstore } from './variants/pgstore-http.ts'

/** The latency of one table size. */
export interface LatencyRow {
  rows: number
  loads: number
  p50: number
  p99: number
  /** Seconds spent creating the table. */
  fillSeconds: number
}

const realSessions = 200

/** Creates `rows` rows (of which {@link realSessions} real sessions) and returns their cookies. */
async function fill(url: string, schema: string, rows: number, store: PGStore, pool: pg.Pool) {
  await setupPgstore({ url, schema })
  const cookies: string[] = []
  for (let i = 0; i < realSessions; i++) {
    const session = await store.load(undefined, 'sid')
    session.values.counter = i
    cookies.push((await store.commit(session))?.split(';')[0] ?? '')
  }
  await pool.query(
    `INSERT INTO ${schema}.http_sessions (key, data, created_on, modified_on, expires_on)
     SELECT convert_to(upper(substr(md5(g::text) || md5((-g)::text), 1, 52)), 'UTF8'),
            (SELECT data FROM ${schema}.http_sessions LIMIT 1),
            now(), now(), now() + interval '30 days'
     FROM generate_series(1, $1::int) AS g`,
    [rows - realSessions],
  )
  await pool.query(`VACUUM ANALYZE ${schema}.http_sessions`)
  return cookies
}

/** Measures both sizes; `loads` loads per size in total. */
export async function runLatencyBench(
  url: string,
  sizes: readonly number[],
  loads: number,
  log: (line: string) => void,
): Promise<LatencyRow[]> {
  const tables = []
  for (const rows of sizes) {
    const schema = `bench_latency_${rows}`
    const pool = new pg.Pool({ connectionString: url, max: 10 })
    pool.on('error', () => undefined)
    const store = await newPGStoreFromPool(pool, randomBytes(64), randomBytes(32), {
      schema,
      migrate: false,
      cookie: { secure: false },
    })
    const started = performance.now()
    log(`  filling ${rows.toLocaleString('en-US')} rows`)
    const cookies = await fill(url, schema, rows, store, pool)
    const fillSeconds = (performance.now() - started) / 1000
    tables.push({ rows, pool, store, cookies, fillSeconds, samples: new Samples() })
  }
  const blocks = 10
  for (let block = 0; block < blocks; block++) {
    for (const table of tables) {
      for (let i = 0; i < loads / blocks; i++) {
        const cookie = table.cookies[Math.floor(Math.random() * table.cookies.length)]
        const begin = performance.now()
        const session = await table.store.load(cookie, 'sid')
        const took = performance.now() - begin
        if (session.isNew) throw new Error('latency bench: a known session was not found')
        if (block > 0) table.samples.push(took) // the first block warms caches and the JIT
      }
    }
  }
  const rows: LatencyRow[] = []
  for (const table of tables) {
    await table.store.close()
    await table.pool.end()
    const values = table.samples.values()
    rows.push({
      rows: table.rows,
      loads: values.length,
      p50: percentile(values, 50),
      p99: percentile(values, 99),
      fillSeconds: table.fillSeconds,
    })
  }
  return rows
}
