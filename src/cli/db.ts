/**
 * @module The database side of a command: a small pool, one first query that turns "cannot
 * connect" and "no table" into clear one-line errors, and a PGStore for the store's own operations.
 */
import pg from 'pg'
import { generateRandomKey } from '../codec/index.ts'
import { StoreError } from '../errors.ts'
import { toStoreError } from '../pg/errors.ts'
import { PGStore } from '../pg/pg-store.ts'
import { sessionsTables } from '../pg/table-shape.ts'
import type { DatabaseTarget } from './args.ts'

/** An open connection pool for one command run. */
export interface Database {
  pool: pg.Pool
  target: DatabaseTarget
  /** Ends the pool; the process can then exit. Idempotent. */
  close(): Promise<void>
}

function unreachable(error: unknown, target: DatabaseTarget): StoreError {
  // The library names the reason (refused, bad password, no such database); the CLI adds where.
  const typed = toStoreError(error, 'connect')
  const reason = typed.message.replace(/^connect: (the database could not be reached: )?/, '')
  const sqlState = typed instanceof StoreError ? typed.sqlState : undefined
  return new StoreError(typed.code, `cannot connect to ${target.display}: ${reason}`, {
    cause: error,
    ...(sqlState === undefined ? {} : { sqlState }),
  })
}

/**
 * The error for a `--table` that does not exist. It does not suggest `pgstore migrate`, which
 * would create the mistyped name: it lists the sessions tables that do exist, and says how to
 * create a new one on purpose.
 */
async function tableMissing(pool: pg.Pool, target: DatabaseTarget): Promise<StoreError> {
  const where = target.table.schema === undefined ? ' (searched the search_path)' : ''
  const found = await sessionsTables(pool).catch(() => [])
  const shown =
    found.slice(0, 5).join(', ') + (found.length > 5 ? `, and ${found.length - 5} more` : '')
  const existing =
    found.length === 0
      ? 'no sessions table exists in this database'
      : `sessions tables here: ${shown}`
  const create = `pgstore migrate${target.table.schema === undefined ? '' : ` --schema ${target.table.schema}`} --table ${target.table.table}`
  return new StoreError(
    'ERR_STORE_TABLE_MISSING',
    `the table ${target.table.qualified} does not exist${where}; ${existing}. To create it on purpose: ${create}`,
  )
}

/**
 * Connects to `target` and checks the sessions table exists (unless `requireTable` is false).
 * Throws `StoreError`: `ERR_STORE_UNAVAILABLE` and the like when the server cannot be reached,
 * `ERR_STORE_TABLE_MISSING` naming the sessions tables that do exist.
 */
export async function openDatabase(
  target: DatabaseTarget,
  options: { requireTable: boolean },
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 2,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 1000,
    application_name: 'pgstore-cli',
  })
  // A dropped idle connection must not crash the command; the next query reports the failure.
  pool.on('error', () => undefined)
  let closing: Promise<void> | undefined
  const close = () => (closing ??= pool.end().catch(() => undefined))
  try {
    const result = await pool
      .query<{ found: string | null }>({
        text: 'SELECT to_regclass($1)::text AS found',
        values: [target.table.qualified],
      })
      .catch((error: unknown) => {
        throw unreachable(error, target)
      })
    if (options.requireTable && !result.rows[0]?.found) {
      throw await tableMissing(pool, target)
    }
  } catch (error) {
    await close()
    throw error
  }
  return { pool, target, close }
}

/**
 * A PGStore on `db` for listing and revoking. Those never encode or decode a cookie, so its key is
 * a throwaway; what matters is the table.
 */
export function storeFor(db: Database): PGStore {
  return new PGStore(db.pool, [generateRandomKey(32)], {
    schema: db.target.table.schema,
    table: db.target.table.table,
  })
}
