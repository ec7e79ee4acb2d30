/**
 * @module `pgstore stats`: how many sessions, how many expired and waiting for cleanup, how much
 * disk, and who holds the most sessions.
 */
import { parseArgs } from 'node:util'
import { sessionStats } from '../pg/stats.ts'
import {
  databaseOptions,
  databaseOptionsHelp,
  databaseTarget,
  parseOrUsage,
  positiveInteger,
} from './args.ts'
import { openDatabase } from './db.ts'
import { type CliIO, formatBytes, formatDate, printJson, printTable } from './output.ts'

/** `pgstore stats --help`. */
export const statsHelp: string = `Usage: pgstore stats [--top N] [options]

Prints the sessions table's rows (total, live, expired), its size on disk (table
and indexes), the oldest and newest live session, and the owners holding the most
live sessions. Counts are exact: the table is scanned once.

Options:
  --top N              how many owners to list. Default: 10

${databaseOptionsHelp}`

/** Runs `pgstore stats`; returns the exit code. */
export async function statsCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({ args, options: { ...databaseOptions, top: { type: 'string' } }, strict: true }),
  )
  if (values.help) {
    io.stdout.write(`${statsHelp}\n`)
    return 0
  }
  const top = positiveInteger(values.top, 'top', 10, 1000)
  const target = databaseTarget(values, io.env)
  const db = await openDatabase(target, { requireTable: true })
  let stats: Awaited<ReturnType<typeof sessionStats>>
  try {
    stats = await sessionStats(db.pool, target.table, { top })
  } finally {
    await db.close()
  }
  const table = target.table.qualified
  if (values.json) {
    printJson(io, { table, ...stats })
    return 0
  }
  const total = stats.tableBytes + stats.indexBytes
  printTable(
    io,
    ['table', table],
    [
      ['sessions', `${stats.total} (live ${stats.live}, expired ${stats.expired})`],
      ['anonymous', `${stats.anonymous} live sessions without an owner`],
      [
        'size',
        `${formatBytes(total)} (table ${formatBytes(stats.tableBytes)}, indexes ${formatBytes(stats.indexBytes)})`,
      ],
      ['oldest', formatDate(stats.oldest)],
      ['newest', formatDate(stats.newest)],
      ['owners', `${stats.owners} with live sessions`],
    ],
  )
  if (stats.topOwners.length > 0) {
    io.stdout.write(`\ntop ${stats.topOwners.length} owners by live sessions:\n`)
    printTable(
      io,
      ['SESSIONS', 'OWNER'],
      stats.topOwners.map((o) => [String(o.sessions), o.owner]),
    )
  }
  return 0
}
