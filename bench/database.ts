/**
 * @module The benchmark database: a dedicated `pgstore_bench` next to the server's usual one, so
 * its `pg_stat_database` counters see only benchmark traffic, and the counter readings.
 *
 * Counters are read over a connection to ANOTHER database (`postgres`), so reading them adds
 * nothing to what is measured. PostgreSQL publishes a backend's counts when the backend exits
 * (or, when idle, up to 10 s later); the runner ends each server's pool before reading.
 */
import pg from 'pg'
import { type ResolvedDatabase, resolveDatabase } from '../scripts/local-postgres.ts'

/** The benchmark database name. */
export const benchDatabase: string = 'pgstore_bench'

/** Where the benchmark runs, and how to read its counters. */
export interface BenchDatabase {
  /** URL of `pgstore_bench` (may hold a password: never print it). */
  url: string
  /** `SELECT version()` of the server. */
  serverVersion: string
  /** Committed plus rolled-back transactions of `pgstore_bench`, once the number stops moving. */
  transactions(): Promise<number>
  /** Ends the admin connection and any embedded server. */
  close(): Promise<void>
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves the server, creates `pgstore_bench` when missing, and opens the admin connection. */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const resolved: ResolvedDatabase = await resolveDatabase()
  const admin = new pg.Client({ connectionString: withDatabase(resolved.url, 'postgres') })
  admin.on('error', () => undefined)
  await admin.connect()
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [benchDatabase])
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${benchDatabase}`)
  const version = await admin.query<{ version: string }>('SELECT version()')

  const read = async (): Promise<number> => {
    const result = await admin.query<{ n: string }>(
      `SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = $1`,
      [benchDatabase],
    )
    return Number(result.rows[0]?.n ?? 0)
  }

  return {
    url: withDatabase(resolved.url, benchDatabase),
    serverVersion: version.rows[0]?.version ?? 'unknown',
    async transactions() {
      // A backend publishes its counts as it exits: wait until the benchmark database has no
      // client connection left, then until two readings agree.
      for (let i = 0; i < 100; i++) {
        const open = await admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
          [benchDatabase],
        )
        if (open.rowCount === 0) break
        await sleep(50)
      }
      let last = await read()
      for (let i = 0; i < 40; i++) {
        await sleep(100)
        const next = await read()
        if (next === last) return next
        last = next
      }
      return last
    },
    async close() {
      await admin.end()
      await resolved.stop()
    },
  }
}
