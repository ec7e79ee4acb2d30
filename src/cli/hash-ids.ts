/**
 * @module `pgstore hash-ids`: converts every session row still under a plain id to its hashed key,
 * for a store switched to `hashIds`, so no plain id waits in the table for its next read.
 */
import { parseArgs } from 'node:util'
import { UsageError } from '../errors.ts'
import { hashStoredIds, rowKeyFor } from '../pg/hashed-ids.ts'
import { databaseOptions, databaseOptionsHelp, databaseTarget, parseOrUsage } from './args.ts'
import { openDatabase } from './db.ts'
import { type CliIO, printJson } from './output.ts'

/** `pgstore hash-ids --help`. */
export const hashIdsHelp: string = `Usage: pgstore hash-ids [--key-env NAME] [options]

Replaces each plain session id in the key column by its hash, as a store with the
hashIds option writes it: SHA-256 (hashIds: true), or HMAC-SHA256 under the key in
the environment variable NAME (hashIds: key, the same string). Switch the apps to
hashIds first: stores without it no longer find converted rows, and Go pgstore
never does. Rows that are not plain pgstore ids are left alone. Safe to rerun.

Options:
  --key-env NAME       read the HMAC key from environment variable NAME

${databaseOptionsHelp}`

/** Runs `pgstore hash-ids`; returns the exit code. */
export async function hashIdsCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: { ...databaseOptions, 'key-env': { type: 'string' } },
      strict: true,
    }),
  )
  if (values.help) {
    io.stdout.write(`${hashIdsHelp}\n`)
    return 0
  }
  const keyEnv = values['key-env']
  const key = keyEnv === undefined ? true : io.env[keyEnv]
  if (key === undefined || key === '') {
    throw new UsageError('ERR_INVALID_OPTION', `the environment variable ${keyEnv} is not set`)
  }
  const rowKey = rowKeyFor(key)
  const target = databaseTarget(values, io.env)
  const db = await openDatabase(target, { requireTable: true })
  try {
    const report = await hashStoredIds(db.pool, target.table, rowKey)
    if (values.json) printJson(io, { table: target.table.qualified, ...report })
    else io.stdout.write(`${target.table.qualified}: ${report.converted} id(s) hashed\n`)
    return 0
  } finally {
    await db.close()
  }
}
