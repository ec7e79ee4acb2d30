/**
 * @module PostgreSQL for test files: one fresh schema per test (or per file), so test files can run
 * in parallel against one database without seeing each other's tables.
 *
 * The database is `DATABASE_URL` (set by `scripts/with-postgres.ts`, which `npm test` uses). A test
 * file run directly (`node --import tsx --test test/x/y.test.ts`) resolves one itself, once per
 * process, with `resolveDatabase()`: the local server, or an embedded one that dies with the process.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { type ResolvedDatabase, resolveDatabase } from '../../scripts/local-postgres.ts'
import { UsageError } from '../../src/errors.ts'

/** A schema of one's own, and a pool whose connections use it. */
export interface TestSchema {
  /** The schema's name: the sanitised label plus a random suffix, matching `^[a-z0-9_]+$`. */
  schema: string
  /** The database URL (may carry a password: do not print it). */
  url: string
  /**
   * Max 5 connections, 5 s connection timeout, `search_path` set to `schema` for every connection.
   * Its `error` listener ignores idle connections the server dropped; the next query reconnects.
   */
  pool: pg.Pool
  /** `pool.query` with a plain signature. */
  query: (text: string, params?: unknown[]) => Promise<pg.QueryResult>
  /** Drops the schema (CASCADE) and ends the pool. Idempotent; works even if the pool was ended. */
  drop(): Promise<void>
}

let resolved: Promise<ResolvedDatabase> | undefined

/** The URL to test against: `DATABASE_URL`, or one resolved once for this process. */
export async function databaseUrl(): Promise<string> {
  const fromEnv = process.env.DATABASE_URL
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  resolved ??= resolveDatabase({ exitWithProcess: true })
  return (await resolved).url
}

/**
 * Creates a fresh schema named after `label` (lowercased, other characters turned into `_`, cut to
 * 40 characters) plus a random suffix.
 *
 * @example
 * ```ts
 * const db = await createTestSchema('store save')
 * after(() => db.drop())
 * await db.query('CREATE TABLE t (id int)')
 * ```
 */
export async function createTestSchema(label: string): Promise<TestSchema> {
  const url = await databaseUrl()
  const schema = schemaName(label)
  await withClient(url, (client) => client.query(`CREATE SCHEMA ${schema}`))
  const pool = new pg.Pool({
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: 5000,
    options: `-c search_path=${schema}`,
  })
  // Without a listener, a server dropping an idle connection would crash the test process.
  pool.on('error', () => undefined)
  let dropping: Promise<void> | undefined
  return {
    schema,
    url,
    pool,
    query: (text, params) => pool.query(text, params),
    drop: () =>
      (dropping ??= (async () => {
        if (!pool.ending && !pool.ended) await pool.end()
        await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
      })()),
  }
}

/** `t_<label>_<12 hex>`: always a plain lowercase identifier, so it never needs quoting. */
export function schemaName(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
  return `t_${clean === '' ? 'x' : clean}_${randomBytes(6).toString('hex')}`
}

/** Cumulative counters of the current database, from `pg_stat_database`. */
export interface ServerCounters {
  /** Committed transactions (every autocommit statement is one). */
  xactCommit: number
  /** Rows inserted. */
  tupInserted: number
  /** Rows updated. */
  tupUpdated: number
  /** Rows deleted. */
  tupDeleted: number
}

/**
 * Reads the current database's counters from `pg_stat_database`.
 *
 * Accuracy: the counters are database-wide, so other test files running at the same time add to
 * them, and each connection reports its work to them only from time to time (at most once a second
 * while busy, within ~10 s when idle). Work done on the connection `query` runs on is flushed first
 * (`pg_stat_force_next_flush()`, PostgreSQL 15+) and read after `pg_stat_clear_snapshot()`, so a
 * difference of two readings on ONE connection is a lower bound of that connection's own work;
 * treat anything else as approximate. For exact per-pool counts use {@link countStatements}.
 */
export async function serverCounters(
  query: (text: string, params?: unknown[]) => Promise<pg.QueryResult>,
): Promise<ServerCounters> {
  const version = await query('SHOW server_version_num')
  if (Number(version.rows[0]?.server_version_num) >= 150000) {
    await query('SELECT pg_stat_force_next_flush()')
  }
  await query('SELECT pg_stat_clear_snapshot()')
  const result = await query(
    `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted
       FROM pg_stat_database WHERE datname = current_database()`,
  )
  const row = (result.rows[0] ?? {}) as Record<string, string | number | undefined>
  return {
    xactCommit: Number(row.xact_commit ?? 0),
    tupInserted: Number(row.tup_inserted ?? 0),
    tupUpdated: Number(row.tup_updated ?? 0),
    tupDeleted: Number(row.tup_deleted ?? 0),
  }
}

/** An exact log of the statements a pool's connections sent, counted on the client side. */
export interface StatementCounter {
  /** How many statements were sent so far: use it as a mark. */
  total(): number
  /** The SQL texts sent since `mark` (a value of `total()`), in order. */
  statementsSince(mark: number): readonly string[]
}

/**
 * Counts every statement sent by the pool's connections (`pool.query`, and `client.query` on a
 * checked-out client, `BEGIN`/`COMMIT` included). Exact and unaffected by other test files, unlike
 * {@link serverCounters}. Call it before the pool opens its first connection: connections opened
 * earlier are not counted, so it throws if there are any.
 */
export function countStatements(pool: pg.Pool): StatementCounter {
  if (pool.totalCount > 0) {
    throw new UsageError(
      'ERR_INVALID_OPTION',
      'countStatements must be called before the pool connects',
    )
  }
  const texts: string[] = []
  pool.on('connect', (client) => {
    const send = client.query.bind(client) as (...args: unknown[]) => unknown
    const counting = (...args: unknown[]): unknown => {
      texts.push(sqlText(args[0]))
      return send(...args)
    }
    client.query = counting as typeof client.query
  })
  return {
    total: () => texts.length,
    statementsSince: (mark) => texts.slice(mark),
  }
}

function sqlText(query: unknown): string {
  if (typeof query === 'string') return query
  const text = (query as { text?: unknown } | null)?.text
  return typeof text === 'string' ? text : '(unknown statement)'
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}
