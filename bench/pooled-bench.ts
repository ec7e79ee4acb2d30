/**
 * @module The pooled variant of `npm run bench`: the store's requests per second through PgBouncer
 * in transaction pooling (Debian's `pgbouncer`, default configuration, started here on a free
 * loopback port) against the same store connected directly, in the same run, interleaved rounds.
 * Store level (load, change, save; and load, save unchanged), no HTTP, so the ratio is the pooler's
 * cost alone. Goal: pooled at least 0.9x direct.
 *
 * Alone: `node --import tsx bench/pooled-bench.ts [seconds]`; in `npm run bench` unless
 * `BENCH_POOLED=0` or pgbouncer is missing.
 */
import { pathToFileURL } from 'node:url'
import { resolveDatabase } from '../scripts/local-postgres.ts'
import { newPGStore, type PGStore } from '../src/index.ts'
import { cookiePair } from '../test/faults/support/store.ts'
import { hasPgBouncer, startPgBouncer } from '../test/scale/support/pgbouncer.ts'

/** One workload's result: requests per second, direct and pooled, and their ratio. */
export interface PooledRow {
  workload: 'modify' | 'read'
  directPerSec: number
  pooledPerSec: number
  ratio: number
}

const keys = [Buffer.alloc(64, 'p'), Buffer.alloc(32, 'q')] as const

async function measure(store: PGStore, workload: PooledRow['workload'], ms: number) {
  const cookies = await Promise.all(
    Array.from({ length: 16 }, async () => {
      const session = await store.load(undefined, 'sid')
      session.values.n = 0
      return cookiePair(await store.commit(session))
    }),
  )
  let done = 0
  const until = performance.now() + ms
  await Promise.all(
    cookies.map(async (cookie) => {
      while (performance.now() < until) {
        const session = await store.load(cookie, 'sid')
        if (workload === 'modify') session.values.n = Number(session.values.n) + 1
        await store.commit(session)
        done++
      }
    }),
  )
  return (done * 1000) / ms
}

/** Runs the comparison on `url`'s server; `undefined` when pgbouncer is not installed. */
export async function runPooledBench(
  url: string,
  seconds: number,
  rounds: number,
  log: (line: string) => void,
): Promise<PooledRow[] | undefined> {
  if (!hasPgBouncer) return undefined
  const server = new URL(url)
  const bouncer = await startPgBouncer(Number(server.port || 5432), 'transaction')
  const pooledUrl = new URL(url)
  pooledUrl.host = `127.0.0.1:${bouncer.port}`
  const options = { cookie: { secure: false }, table: 'pooled_bench_sessions' }
  const direct = await newPGStore(url, ...keys, options)
  const pooled = await newPGStore(pooledUrl.toString(), ...keys, options)
  try {
    const rows: PooledRow[] = []
    for (const workload of ['modify', 'read'] as const) {
      let d = 0
      let p = 0
      for (let round = 0; round < rounds; round++) {
        d += await measure(direct, workload, seconds * 1000)
        p += await measure(pooled, workload, seconds * 1000)
      }
      const row = { workload, directPerSec: d / rounds, pooledPerSec: p / rounds, ratio: p / d }
      log(
        `  ${workload}: direct ${row.directPerSec.toFixed(0)}/s, through PgBouncer ` +
          `${row.pooledPerSec.toFixed(0)}/s (${row.ratio.toFixed(2)}x)`,
      )
      rows.push(row)
    }
    return rows
  } finally {
    await direct.close()
    await pooled.close()
    await bouncer.stop()
  }
}

/** The rows as a Markdown section for bench/RESULTS.md. */
export function pooledMarkdown(rows: PooledRow[] | undefined): string {
  if (!rows) return '\n## Through PgBouncer\n\nNot run (pgbouncer missing or BENCH_POOLED=0).\n'
  const lines = rows.map(
    (r) =>
      `| ${r.workload} | ${r.directPerSec.toFixed(0)} | ${r.pooledPerSec.toFixed(0)} | ${r.ratio.toFixed(2)}x |`,
  )
  return [
    '',
    '## Through PgBouncer (transaction pooling)',
    '',
    'Store level, 16 concurrent loops, same run, interleaved (bench/pooled-bench.ts). Goal: >= 0.9x.',
    '',
    '| workload | direct req/s | PgBouncer req/s | ratio |',
    '| --- | ---: | ---: | ---: |',
    ...lines,
    '',
  ].join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const database = await resolveDatabase()
  try {
    const seconds = Number(process.argv[2] ?? 5)
    await runPooledBench(database.url, seconds, 2, (line) => console.log(line))
  } finally {
    await database.stop()
  }
}
