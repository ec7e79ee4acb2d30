/**
 * @module Cost per session: disk bytes and WAL bytes, pgstore against connect-pg-simple, for
 * `sessions` sessions of the same small values (`{ counter }`), each store in its own schema.
 *
 * - Bytes per session: `pg_total_relation_size` of the table (heap, indexes, TOAST) over its rows,
 *   after the inserts, and again after one modify of each of `modifies` sessions.
 * - WAL per write: the WAL records that touch the table or one of its indexes, read back with
 *   `pg_walinspect` between two LSNs, over the number of writes. Filtering by relation keeps the
 *   WAL of everything else on a shared server out. Record bytes are reported without full-page
 *   images (those depend on when the last checkpoint was) and with them. Commit records carry no
 *   relation and are left out for both (one per transaction, the same for both).
 *
 * `COST_FILLFACTOR=80` sets pgstore's table to that fillfactor first (to compare with the default).
 *
 * Run: node --import tsx bench/cost-bench.ts [sessions, default 50000]
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { newPGStoreFromPool } from '../src/pg/new-pg-store.ts'
import { openBenchDatabase } from './database.ts'
import { pgSimpleStore, setupPgSimple } from './variants/connect-pg-simple.ts'
import { setupPgstore } from './variants/pgstore-http.ts'

/** One store's figures. */
export interface CostRow {
  store: string
  sessions: number
  bytesPerSession: number
  bytesPerSessionAfterModify: number
  /** Size of each relation (table, indexes, TOAST) after the inserts, in bytes. */
  relations: Record<string, number>
  walPerInsert: number
  walPerInsertWithFpi: number
  walPerModify: number
  walPerModifyWithFpi: number
}

interface Wal {
  records: number
  withFpi: number
}

const parallel = 10

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) await work(next++)
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

async function lsn(pool: pg.Pool): Promise<string> {
  return (await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!
    .lsn
}

/** The relations of `schema.table`: the table, its indexes and its TOAST table and index. */
async function relations(pool: pg.Pool, schema: string, table: string) {
  const result = await pool.query<{ name: string; node: string; size: string }>(
    `SELECT c.relname AS name, pg_relation_filenode(c.oid)::text AS node,
            pg_relation_size(c.oid)::text AS size
     FROM pg_class c
     WHERE c.oid = $1::regclass
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass)
        OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass)
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid =
                     (SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass))`,
    [`${schema}.${table}`],
  )
  return result.rows
}

/** WAL bytes of the records between two LSNs that touch one of `nodes` (relfilenodes). */
async function walBetween(pool: pg.Pool, from: string, to: string, nodes: string[]): Promise<Wal> {
  const result = await pool.query<{ records: string | null; fpi: string | null }>(
    `SELECT sum(record_length - fpi_length)::text AS records, sum(record_length)::text AS fpi
     FROM public.pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
     WHERE block_ref ~ $3`,
    [from, to, `rel \\d+/\\d+/(${nodes.join('|')})( |$|,)`],
  )
  const row = result.rows[0]
  return { records: Number(row?.records ?? 0), withFpi: Number(row?.fpi ?? 0) }
}

async function measure(
  pool: pg.Pool,
  schema: string,
  table: string,
  name: string,
  sessions: number,
  insert: (i: number) => Promise<void>,
  modify: (i: number) => Promise<void>,
): Promise<CostRow> {
  const modifies = Math.min(sessions, 10_000)
  await pool.query('CHECKPOINT').catch(() => undefined)
  const start = await lsn(pool)
  await inParallel(sessions, insert)
  const afterInsert = await lsn(pool)
  const rels = await relations(pool, schema, table)
  const total = async () =>
    Number(
      (
        await pool.query<{ size: string }>(
          'SELECT pg_total_relation_size($1::regclass)::text AS size',
          [`${schema}.${table}`],
        )
      ).rows[0]?.size,
    )
  const sizeAfterInsert = await total()
  await pool.query('CHECKPOINT').catch(() => undefined)
  const beforeModify = await lsn(pool)
  await inParallel(modifies, modify)
  const afterModify = await lsn(pool)
  const sizeAfterModify = await total()
  const nodes = rels.map((r) => r.node)
  const inserts = await walBetween(pool, start, afterInsert, nodes)
  const updates = await walBetween(pool, beforeModify, afterModify, nodes)
  return {
    store: name,
    sessions,
    bytesPerSession: sizeAfterInsert / sessions,
    bytesPerSessionAfterModify: sizeAfterModify / sessions,
    relations: Object.fromEntries(rels.map((r) => [r.name, Number(r.size)])),
    walPerInsert: inserts.records / sessions,
    walPerInsertWithFpi: inserts.withFpi / sessions,
    walPerModify: updates.records / modifies,
    walPerModifyWithFpi: updates.withFpi / modifies,
  }
}

async function pgstoreCost(url: string, sessions: number): Promise<CostRow> {
  const schema = 'cost_pgstore'
  await setupPgstore({ url, schema })
  const fillfactor = process.env.COST_FILLFACTOR
  if (fillfactor) {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(
      `ALTER TABLE ${schema}.http_sessions SET (fillfactor = ${Number(fillfactor)})`,
    )
    await admin.end()
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: parallel,
    options: `-c search_path=${schema}`,
  })
  const store = await newPGStoreFromPool(pool, Buffer.alloc(64, 'h'), Buffer.alloc(32, 'b'), {
    schema,
    migrate: false,
    cookie: { secure: false },
  })
  const cookies: string[] = new Array(sessions)
  try {
    return await measure(
      pool,
      schema,
      'http_sessions',
      'pgstore',
      sessions,
      async (i) => {
        const session = await store.load(undefined, 'sid')
        session.values.counter = 0
        cookies[i] = (await store.commit(session))?.split(';')[0] ?? ''
      },
      async (i) => {
        const session = await store.load(cookies[i], 'sid')
        session.values.counter = 1
        await store.commit(session)
      },
    )
  } finally {
    await store.close()
    await pool.end()
  }
}

async function pgSimpleCost(url: string, sessions: number): Promise<CostRow> {
  const schema = 'cost_pg_simple'
  await setupPgSimple({ url, schema })
  const pool = new pg.Pool({
    connectionString: url,
    max: parallel,
    options: `-c search_path=${schema}`,
  })
  const require = createRequire(import.meta.url)
  const PgStore = pgSimpleStore(require('express-session'))
  const store = new PgStore({ pool, schemaName: schema, tableName: 'session', errorLog: () => {} })
  const set = store as unknown as {
    set(sid: string, session: object, cb: (error?: unknown) => void): void
  }
  // What express-session hands its store for `req.session.counter = n` with a 30-day cookie, the
  // lifetime pgstore gives its sessions by default.
  const maxAge = 30 * 86400 * 1000
  const session = (counter: number) => ({
    cookie: {
      originalMaxAge: maxAge,
      expires: new Date(Date.now() + maxAge).toISOString(),
      secure: false,
      httpOnly: true,
      path: '/',
    },
    counter,
  })
  const sid = (i: number) => `bench-session-${String(i).padStart(18, '0')}`
  const save = (i: number, counter: number) =>
    new Promise<void>((resolve, reject) =>
      set.set(sid(i), session(counter), (error) => (error ? reject(error) : resolve())),
    )
  try {
    return await measure(
      pool,
      schema,
      'session',
      'connect-pg-simple',
      sessions,
      (i) => save(i, 0),
      (i) => save(i, 1),
    )
  } finally {
    await store.close()
    await pool.end()
  }
}

/** Measures both stores; `sessions` each. */
export async function runCostBench(url: string, sessions: number): Promise<CostRow[]> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect SCHEMA public')
    // Keeps the WAL from here on until this connection ends (a temporary slot), so checkpoints,
    // ours or anyone's on a shared server, cannot recycle the segments before they are read.
    await admin.query(
      "SELECT pg_create_physical_replication_slot('pgstore_cost_' || pg_backend_pid(), true, true)",
    )
    return [await pgstoreCost(url, sessions), await pgSimpleCost(url, sessions)]
  } finally {
    await admin.end()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sessions = Number(process.argv[2]) || 50_000
  const db = await openBenchDatabase()
  try {
    for (const row of await runCostBench(db.url, sessions)) console.log(row)
  } finally {
    await db.close()
  }
}
