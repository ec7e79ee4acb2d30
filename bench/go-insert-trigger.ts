/**
 * @module What migration 0005's trigger (Go's INSERT of an existing key becomes an update) costs on
 * the insert paths, measured in one run on two schemas that differ only by the trigger:
 * - ours: `PGStore.commit` of a new session (one INSERT stamped `now()`, which the trigger's WHEN
 *   clause skips);
 * - Go's INSERT of a fresh key (the trigger runs: a transaction lock and an index probe);
 * - Go's INSERT of an existing key, which only the trigger makes succeed (an update instead).
 * Each round runs both schemas back to back, the first of the two alternating between rounds, so
 * drift and load from elsewhere hit both alike. Reported: the median rate of each, and the median
 * of the per-round ratios (paired, so a busy moment affects both sides of a ratio alike).
 *
 * Run: `npm run bench:go-insert` (options: `--rounds 15 --inserts 1000 --concurrency 4`).
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { resolveDatabase } from '../scripts/local-postgres.ts'
import { gobSerializer } from '../src/codec/gob/index.ts'
import { migrate } from '../src/pg/migrate.ts'
import { newPGStoreFromPool } from '../src/pg/new-pg-store.ts'
import type { PGStore } from '../src/pg/pg-store.ts'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    inserts: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
})
const rounds = Number(args.rounds)
const inserts = Number(args.inserts)
const concurrency = Number(args.concurrency)

const goInsert = (schema: string) =>
  `INSERT INTO ${schema}.http_sessions (key, data, created_on, modified_on, expires_on)
   VALUES ($1, $2, $3, $4, $5)`

/** Runs `op(i)` for i in [0, inserts) on `concurrency` lanes; returns operations per second. */
async function rate(op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < inserts) await op(next++)
    }),
  )
  return inserts / (Number(process.hrtime.bigint() - started) / 1e9)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

async function main(): Promise<void> {
  const db = await resolveDatabase({ exitWithProcess: true })
  const pool = new pg.Pool({ connectionString: db.url, max: concurrency + 1 })
  pool.on('error', () => undefined)
  const schemas = { with: 'bench_go_trigger_on', without: 'bench_go_trigger_off' }
  const stores: Record<string, PGStore> = {}
  const results: Record<string, Record<string, number[]>> = {}
  try {
    for (const [label, schema] of Object.entries(schemas)) {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await pool.query(`CREATE SCHEMA ${schema}`)
      await migrate(pool, { schema })
      if (label === 'without') {
        await pool.query(
          `DROP TRIGGER http_sessions_insert_existing_key ON ${schema}.http_sessions`,
        )
      }
      stores[label] = await newPGStoreFromPool(pool, randomBytes(32), {
        schema,
        migrate: false,
        serializer: gobSerializer,
      })
      results[label] = { ours: [], goFresh: [], goExisting: [] }
    }
    const data = Buffer.from('x'.repeat(120))
    for (let round = 0; round < rounds; round++) {
      const order = Object.entries(schemas)
      if (round % 2 === 1) order.reverse()
      for (const [label, schema] of order) {
        const store = stores[label] as PGStore
        const out = results[label] as Record<string, number[]>
        out.ours?.push(
          await rate(async () => {
            const session = await store.load(null, 's')
            session.values.user = 'ada'
            await store.commit(session)
          }),
        )
        const keys = Array.from({ length: inserts }, () => randomBytes(26).toString('hex'))
        const goRow = (key: string) => [
          key,
          data,
          new Date(),
          new Date(),
          new Date(Date.now() + 1e9),
        ]
        out.goFresh?.push(await rate((i) => pool.query(goInsert(schema), goRow(keys[i] as string))))
        if (label === 'with') {
          out.goExisting?.push(
            await rate((i) => pool.query(goInsert(schema), goRow(keys[i] as string))),
          )
        }
      }
    }
    const line = (what: string, key: string) => {
      const ons = results.with?.[key] ?? []
      const offs = results.without?.[key] ?? []
      const on = median(ons)
      const off = median(offs)
      const none = off ? `${off.toFixed(0)}/s` : 'fails (23505)'
      const ratio = median(ons.map((x, i) => x / (offs[i] ?? Number.NaN)))
      const change = off ? `${((ratio - 1) * 100).toFixed(1)}%` : ''
      console.log(
        `${what.padEnd(36)} ${`${on.toFixed(0)}/s`.padStart(9)} ${none.padStart(14)}  ${change}`,
      )
    }
    console.log(
      `${rounds} rounds x ${inserts} inserts, concurrency ${concurrency}; median rates, ` +
        'change = median of the per-round ratios',
    )
    console.log(`${'path'.padEnd(36)} ${'trigger'.padStart(9)} ${'none'.padStart(14)}  change`)
    line('ours: commit of a new session', 'ours')
    line("Go's INSERT, fresh key", 'goFresh')
    line("Go's INSERT, existing key (update)", 'goExisting')
  } finally {
    for (const store of Object.values(stores)) await store.close()
    for (const schema of Object.values(schemas)) {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    }
    await pool.end()
  }
}

await main()
