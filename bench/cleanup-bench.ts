/**
 * @module A cleanup of many expired rows while read traffic runs: the pgstore node:http server
 * serves read-only traffic over 1,000 live sessions in a table that also holds `expiredRows`
 * expired rows; read p99 is measured before, then during `store.deleteExpired()` (batches of
 * 1,000, in expiry order, run from this process on its own pool).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { CleanupReport } from '../src/pg/cleanup.ts'
import { newPGStoreFromPool } from '../src/pg/new-pg-store.ts'
import type { BenchConfig } from './config.ts'
import { collectCookies, type LoadResult, runLoad } from './load.ts'
import { startServer } from './servers.ts'

/** What the cleanup case measured. */
export interface CleanupResult {
  expiredRows: number
  before: LoadResult
  during: LoadResult
  report: CleanupReport
}

/** Runs the case on the schema `bench_cleanup`. */
export async function runCleanupBench(
  url: string,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<CleanupResult> {
  const schema = 'bench_cleanup'
  const server = await startServer('pgstore-http', { url, schema, profile: config.profile })
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  pool.on('error', () => undefined)
  try {
    const cookies = await collectCookies(server.port, '/new', config.sessions)
    log(`  inserting ${config.cleanupRows.toLocaleString('en-US')} expired rows`)
    await pool.query(
      `INSERT INTO ${schema}.http_sessions (key, data, created_on, modified_on, expires_on)
       SELECT convert_to('X' || lpad(g::text, 51, '0'), 'UTF8'), '\\x00'::bytea,
              now() - interval '40 days', now() - interval '40 days',
              now() - interval '1 hour' - g * interval '1 millisecond'
       FROM generate_series(1, $1::int) AS g`,
      [config.cleanupRows],
    )
    await pool.query(`VACUUM ANALYZE ${schema}.http_sessions`)
    const load = { port: server.port, path: '/read', cookies, connections: config.connections }
    await runLoad({ ...load, durationSec: config.warmupSec })
    const before = await runLoad({ ...load, durationSec: config.durationSec })
    const store = await newPGStoreFromPool(pool, randomBytes(64), { schema, migrate: false })
    const cleanup = store.deleteExpired()
    const during = await runLoad({ ...load, durationSec: 0, until: cleanup })
    const report = await cleanup
    await store.close()
    return { expiredRows: config.cleanupRows, before, during, report }
  } finally {
    await pool.end()
    await server.stop()
  }
}
