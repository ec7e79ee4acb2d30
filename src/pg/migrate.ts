/**
 * @module Versioned schema migrations: the `.sql` files in `migrations/`, applied in order, each
 * once, under an advisory lock, and recorded in `pgstore_migrations` beside the sessions table.
 */
import { readdir, readFile } from 'node:fs/promises'
import { UsageError } from '../errors.ts'
import { type SqlClient, transaction } from './driver.ts'
import { toStoreError } from './errors.ts'
import { endedTable, type TableRef, tableRef } from './identifiers.ts'
import { assertSessionsShape } from './table-shape.ts'

/** One migration, with its SQL rendered for a table. */
export interface Migration {
  /** The file name without `.sql`, e.g. `0001_create_http_sessions`. */
  id: string
  sql: string
}

/** What {@link migrate} did (or, with `dryRun`, would do). */
export interface MigrationResult {
  /** Migrations applied by this call (with `dryRun`: none). */
  applied: string[]
  /** Migrations that were pending before this call. */
  pending: Migration[]
}

/** Where and how to migrate. */
export interface MigrateOptions {
  /** Schema of the sessions table. Default: the search path's first schema. */
  schema?: string | undefined
  /** The sessions table. Default `'http_sessions'`. */
  table?: string | undefined
  /** Report pending migrations and their SQL without applying them. Default `false`. */
  dryRun?: boolean | undefined
}

const migrationsFolder = new URL('../../migrations/', import.meta.url)

/** Every migration shipped with pgstore, in order, rendered for `ref`. */
export async function loadMigrations(ref: TableRef): Promise<Migration[]> {
  const files = (await readdir(migrationsFolder)).filter((f) => f.endsWith('.sql')).sort()
  return Promise.all(
    files.map(async (file) => ({
      id: file.slice(0, -'.sql'.length),
      sql: (await readFile(new URL(file, migrationsFolder), 'utf8'))
        .replaceAll('{{table}}', ref.qualified)
        .replaceAll('{{ended}}', endedTable(ref))
        .replaceAll('{{name}}', ref.table)
        // Functions (0005's trigger) live in the table's schema: `"schema".`, or nothing.
        .replaceAll('{{schema_prefix}}', ref.schema === undefined ? '' : `"${ref.schema}".`),
    })),
  )
}

function firstId(all: readonly Migration[]): string {
  return all[0]?.id ?? ''
}

function ledger(ref: TableRef): string {
  return ref.schema === undefined ? '"pgstore_migrations"' : `"${ref.schema}"."pgstore_migrations"`
}

async function appliedIds(client: Pick<SqlClient, 'query'>, ref: TableRef): Promise<Set<string>> {
  const exists = await client.query<{ found: string | null }>({
    text: 'SELECT to_regclass($1)::text AS found',
    values: [ledger(ref)],
  })
  if (!exists.rows[0]?.found) return new Set()
  const rows = await client.query<{ id: string }>({
    text: `SELECT id FROM ${ledger(ref)} WHERE table_name = $1`,
    values: [ref.table],
  })
  return new Set(rows.rows.map((r) => r.id))
}

/**
 * Applies pending migrations. Safe to run from several processes at once: they queue on the lock
 * and the later ones find nothing to do. Needs a driver with `connect()` (a `pg` Pool has one).
 *
 * @example
 * ```ts
 * const { applied } = await migrate(pool, { table: 'http_sessions' })
 * ```
 */
export async function migrate(
  client: SqlClient,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  return retryCatalogRace(() => migrateOnce(client, options))
}

async function migrateOnce(client: SqlClient, options: MigrateOptions): Promise<MigrationResult> {
  const ref = tableRef(options.table, options.schema)
  const all = await loadMigrations(ref)
  try {
    if (options.dryRun) {
      const done = await appliedIds(client, ref)
      if (!done.has(firstId(all))) await assertSessionsShape(client, ref)
      return { applied: [], pending: all.filter((m) => !done.has(m.id)) }
    }
    // Cheap path for every start after the first: nothing pending, no lock, no DDL.
    const before = await appliedIds(client, ref)
    if (all.every((m) => before.has(m.id))) return { applied: [], pending: [] }
    // A table not created by our first migration must be Go's, not some other table of that name.
    if (!before.has(firstId(all))) await assertSessionsShape(client, ref)
    if (!client.connect) {
      throw new UsageError('ERR_INVALID_OPTION', 'migrations need a driver with connect()')
    }
    return await transaction(client, async (tx) => {
      await tx.query({
        text: 'SELECT pg_advisory_xact_lock(hashtext($1))',
        values: [`pgstore:migrate:${ref.qualified}`],
      })
      if (ref.schema !== undefined)
        await tx.query({ text: `CREATE SCHEMA IF NOT EXISTS "${ref.schema}"` })
      await tx.query({
        text: `CREATE TABLE IF NOT EXISTS ${ledger(ref)} (
          table_name TEXT NOT NULL, id TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
          PRIMARY KEY (table_name, id))`,
      })
      const done = await appliedIds(tx, ref)
      const pending = all.filter((m) => !done.has(m.id))
      for (const migration of pending) {
        await tx.query({ text: migration.sql })
        await tx.query({
          text: `INSERT INTO ${ledger(ref)} (table_name, id) VALUES ($1, $2)`,
          values: [ref.table, migration.id],
        })
      }
      return { applied: pending.map((m) => m.id), pending }
    })
  } catch (error) {
    throw toStoreError(error, 'migrate')
  }
}

/** Attempts of a migration run that lost a catalog race before its error is the caller's. */
const catalogRaceAttempts = 5

/**
 * True for the errors a concurrent `CREATE ... IF NOT EXISTS` outside our lock causes (Go pgstore
 * creates the table and its indexes on every start): the other side committed the object while our
 * transaction was creating it, so ours hits the catalog's unique index (23505 on a `pg_*` index) or
 * finds the name taken (42P07 duplicate_table, 42710 duplicate_object).
 */
function lostCatalogRace(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error
  const { code, constraint } = (cause ?? {}) as { code?: unknown; constraint?: unknown }
  if (code === '42P07' || code === '42710') return true
  return code === '23505' && typeof constraint === 'string' && constraint.startsWith('pg_')
}

/**
 * Runs `attempt` again when it lost a catalog race: the rolled-back run finds the object the other
 * side committed (every step is `IF NOT EXISTS` or otherwise repeatable), so a retry succeeds.
 */
async function retryCatalogRace<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (tries >= catalogRaceAttempts || !lostCatalogRace(error)) throw error
      // A short pause lets the other side's DDL transaction commit before we look again.
      await new Promise((resolve) => setTimeout(resolve, 10 * tries))
    }
  }
}
