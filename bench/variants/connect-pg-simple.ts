/**
 * @module connect-pg-simple, typed for what the benchmark uses (the package ships no types), and
 * its table, created the way its bundled `table.sql` describes it.
 */
import { createRequire } from 'node:module'
import type pg from 'pg'
import { runSql } from './shared.ts'
import type { Place } from './types.ts'

/** The options the benchmark passes. */
export interface PgSimpleOptions {
  pool: pg.Pool
  schemaName: string
  tableName: string
  /** Where it reports failed queries; the benchmark drops them (aborted requests at a restart). */
  errorLog: (...args: unknown[]) => void
}

/** A connect-pg-simple store: an express-session store with `close()`. */
export interface PgSimpleStore {
  close(): Promise<void>
}

/** The class connect-pg-simple builds on top of a session module's `Store`. */
export type PgSimpleStoreClass = new (options: PgSimpleOptions) => PgSimpleStore

const require = createRequire(import.meta.url)
const factory = require('connect-pg-simple') as (session: unknown) => PgSimpleStoreClass

/** The store class for a session module (`express-session`, or `@fastify/session`). */
export function pgSimpleStore(sessionModule: unknown): PgSimpleStoreClass {
  return factory(sessionModule)
}

/** Creates connect-pg-simple's `session` table in the variant's schema and empties it. */
export async function setupPgSimple(place: Place): Promise<void> {
  await runSql(
    place,
    `CREATE TABLE IF NOT EXISTS session (
       sid varchar NOT NULL COLLATE "default" PRIMARY KEY,
       sess json NOT NULL,
       expire timestamp(6) NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS session_expire_idx ON session (expire)',
    'TRUNCATE session',
  )
}
