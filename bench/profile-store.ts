/**
 * @module A quick in-process profile target for the store's hot path: `load` + `commit` on one
 * connection, read-only or modifying. Run with
 * `node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/profile-store.ts [read|modify] [n]`.
 */
import pg from 'pg'
import { resolveDatabase } from '../scripts/local-postgres.ts'
import { newPGStoreFromPool } from '../src/index.ts'

const mode = process.argv[2] ?? 'modify'
const n = Number(process.argv[3] ?? 20_000)
const database = await resolveDatabase()
const pool = new pg.Pool({ connectionString: database.url, max: 4 })
const schema = `profile_${process.pid}`
await pool.query(`CREATE SCHEMA ${schema}`)
try {
  const store = await newPGStoreFromPool(
    pool,
    Buffer.from('h'.repeat(64)),
    Buffer.from('b'.repeat(32)),
    {
      schema,
      cookie: { secure: false },
    },
  )
  const first = await store.load(undefined, 'sid')
  first.values.counter = 0
  const cookie = (await store.commit(first)) ?? ''
  const started = performance.now()
  const cpu = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const session = await store.load<{ counter: number }>(cookie, 'sid')
    if (mode === 'modify') session.values.counter = (session.values.counter ?? 0) + 1
    await store.commit(session)
  }
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  const perRequest = ((ms * 1000) / n).toFixed(1)
  const cpuPerRequest = ((used.user + used.system) / n).toFixed(1)
  console.log(`${mode}: ${n} requests, ${perRequest} µs each, ${cpuPerRequest} µs CPU each`)
  await store.close()
} finally {
  await pool.query(`DROP SCHEMA ${schema} CASCADE`)
  await pool.end()
  await database.stop()
}
