/**
 * @module `pgstore migrate`: applies the pending migrations under the store's advisory lock, so it
 * is safe to run from every deploy at once; `--dry-run` prints the SQL it would run instead.
 */
import { parseArgs } from 'node:util'
import { migrate } from '../pg/migrate.ts'
import { databaseOptions, databaseOptionsHelp, databaseTarget, parseOrUsage } from './args.ts'
import { openDatabase } from './db.ts'
import { type CliIO, printJson } from './output.ts'

/** `pgstore migrate --help`. */
export const migrateHelp: string = `Usage: pgstore migrate [--dry-run] [options]

Creates or upgrades the sessions table: applies each pending migration once, in
order, in one transaction, under an advisory lock (concurrent runs wait, then find
nothing to do). Running it again is harmless.

Options:
  --dry-run            print the pending migrations' SQL; change nothing

${databaseOptionsHelp}`

/** Runs `pgstore migrate`; returns the exit code. */
export async function migrateCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: { ...databaseOptions, 'dry-run': { type: 'boolean', default: false } },
      strict: true,
    }),
  )
  if (values.help) {
    io.stdout.write(`${migrateHelp}\n`)
    return 0
  }
  const target = databaseTarget(values, io.env)
  const db = await openDatabase(target, { requireTable: false })
  try {
    const dryRun = values['dry-run']
    const result = await migrate(db.pool, {
      schema: target.table.schema,
      table: target.table.table,
      dryRun,
    })
    const table = target.table.qualified
    if (values.json) {
      printJson(io, {
        table,
        dryRun,
        applied: result.applied,
        pending: dryRun ? result.pending : [],
      })
    } else if (dryRun) {
      if (result.pending.length === 0) io.stdout.write(`-- ${table} is up to date\n`)
      for (const migration of result.pending) {
        io.stdout.write(`-- ${migration.id}\n${migration.sql.trimEnd()}\n\n`)
      }
    } else if (result.applied.length === 0) {
      io.stdout.write(`${table} is up to date: nothing to apply\n`)
    } else {
      for (const id of result.applied) io.stdout.write(`applied ${id}\n`)
      io.stdout.write(`${table} is up to date: ${result.applied.length} migration(s) applied\n`)
    }
    return 0
  } finally {
    await db.close()
  }
}
