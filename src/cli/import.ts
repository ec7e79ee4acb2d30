/**
 * @module `pgstore import --from connect-pg-simple`: copies the live sessions of connect-pg-simple's
 * table into the sessions table, under the keys and in the format `pgstore/express-session` writes,
 * so an app that switches its express-session store signs nobody out (the express-session cookie
 * holds only the signed sid, and the app's secret does not change).
 *
 * Safe to run twice and while the old app still runs: a sid that is not in the sessions table yet
 * is inserted; a sid that is there is refreshed only when the row is still the copy an earlier
 * import made (never saved by the new app since: `version = 1`) and the old table's expiry is later
 * (the old app wrote or touched it since). A row the new app has saved is never overwritten.
 */
import { parseArgs } from 'node:util'
import { codecsFromPairs, encodeMulti, jsonSerializer } from '../codec/index.ts'
import { isErrorKind, StoreError, UsageError } from '../errors.ts'
import { toStoreError } from '../pg/errors.ts'
import { tableRef } from '../pg/identifiers.ts'
import { databaseTarget, parseOrUsage, positiveInteger } from './args.ts'
import { openDatabase } from './db.ts'
import { type CliIO, printJson } from './output.ts'

/** `pgstore import --help`. */
export const importHelp: string = `Usage: pgstore import --from connect-pg-simple [options]

Copies the live sessions (expire > now()) of connect-pg-simple's table into the
sessions table, encoded as pgstore/express-session stores them, so users signed in
on the old store stay signed in after the app switches to pgstore/express-session
(or @fastify/session with the same store). Reads the keys the app gives its PGStore
from SESSION_HASH_KEY and SESSION_BLOCK_KEY (base64, as \`pgstore keygen\` prints).

Safe to run again, and while the old app still runs: a session already copied is
refreshed only if the new app has not saved it since and the old table's copy
expires later; a session the new app has saved is never overwritten.
Progress goes to stderr, one line per batch.

Options:
  --from connect-pg-simple   the source store (required; the only one supported)
  --table NAME         connect-pg-simple's table. Default: session
  --schema NAME        its schema. Default: the connection's search_path
  --into-table NAME    the sessions table. Default: http_sessions
  --into-schema NAME   its schema. Default: --schema
  --name NAME          the ExpressSessionStore's name option. Default: connect.sid
  --key-encoding ENC   base64 (default) or utf8 (keys given as plain text)
  --max-length N       the PGStore's maxLength (0: no limit). Default: 4096
  --batch N            rows per batch. Default: 500
  --dry-run            count what would be copied; write nothing
  --database-url URL   PostgreSQL URL. Default: $DATABASE_URL
  --json               print one JSON document instead of text
  -h, --help           print this help`

/** What one run did (the `--json` output). */
export interface ImportReport {
  from: 'connect-pg-simple'
  source: string
  table: string
  /** Live rows read from the source. */
  read: number
  /** New rows in the sessions table. */
  inserted: number
  /** Rows an earlier import made, refreshed with the old app's later copy. */
  updated: number
  /** Rows left as they were (already current, or saved by the new app). */
  kept: number
  /** Source rows that could not be copied (not a JSON object, or longer than --max-length). */
  skipped: number
  batches: number
  dryRun: boolean
  durationMs: number
}

interface SourceRow {
  sid: string
  sess: string
  expire: Date
}

function keyBytes(value: string | undefined, encoding: string, env: string): Buffer | undefined {
  if (value === undefined || value === '') return undefined
  if (encoding === 'utf8') return Buffer.from(value, 'utf8')
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    throw new UsageError('ERR_INVALID_OPTION', `${env} is not base64 (or pass --key-encoding utf8)`)
  }
  return Buffer.from(value, 'base64')
}

/** The session JSON as `ExpressSessionStore.set` stores it, or `undefined` for a bad row. */
function sessionJson(text: string): string | undefined {
  try {
    const sess: unknown = JSON.parse(text)
    return sess !== null && typeof sess === 'object' && !Array.isArray(sess)
      ? JSON.stringify(sess)
      : undefined
  } catch {
    return undefined
  }
}

/** Runs `pgstore import`; returns the exit code. */
export async function importCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: {
        from: { type: 'string' },
        table: { type: 'string', default: 'session' },
        schema: { type: 'string' },
        'into-table': { type: 'string' },
        'into-schema': { type: 'string' },
        name: { type: 'string', default: 'connect.sid' },
        'key-encoding': { type: 'string', default: 'base64' },
        'max-length': { type: 'string' },
        batch: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'database-url': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }),
  )
  if (values.help) {
    io.stdout.write(`${importHelp}\n`)
    return 0
  }
  if (values.from !== 'connect-pg-simple') {
    throw new UsageError('ERR_INVALID_OPTION', '--from must be connect-pg-simple')
  }
  if (values.name === '') throw new UsageError('ERR_INVALID_OPTION', '--name must not be empty')
  if (!['base64', 'utf8'].includes(values['key-encoding'])) {
    throw new UsageError('ERR_INVALID_OPTION', '--key-encoding must be base64 or utf8')
  }
  const batchSize = positiveInteger(values.batch, 'batch', 500, 10_000)
  const maxLength =
    values['max-length'] === '0' ? 0 : positiveInteger(values['max-length'], 'max-length', 4096)
  const source = tableRef(values.table, values.schema)
  const target = databaseTarget(
    {
      'database-url': values['database-url'],
      schema: values['into-schema'] ?? values.schema,
      ...(values['into-table'] === undefined ? {} : { table: values['into-table'] }),
    },
    io.env,
  )
  const hashKey = keyBytes(io.env.SESSION_HASH_KEY, values['key-encoding'], 'SESSION_HASH_KEY')
  if (hashKey === undefined) {
    throw new UsageError(
      'ERR_HASH_KEY_NOT_SET',
      'set SESSION_HASH_KEY (and SESSION_BLOCK_KEY) to the keys of the PGStore of the app',
    )
  }
  const blockKey = keyBytes(io.env.SESSION_BLOCK_KEY, values['key-encoding'], 'SESSION_BLOCK_KEY')
  const codecs = codecsFromPairs(hashKey, blockKey ?? null)
  for (const codec of codecs) codec.setSerializer(jsonSerializer).maxLength(maxLength)

  const db = await openDatabase(target, { requireTable: true })
  const query = async <R>(doing: string, text: string, params: unknown[]) => {
    try {
      return (await db.pool.query({ text, values: params })).rows as R[]
    } catch (error) {
      const typed = toStoreError(error, doing)
      if ((error as { code?: unknown }).code === '42P01') {
        throw new StoreError(
          'ERR_STORE_TABLE_MISSING',
          `connect-pg-simple's table ${source.qualified} does not exist (see --table, --schema)`,
          { cause: error },
        )
      }
      throw typed
    }
  }
  const into = target.table.qualified
  // Keyset pagination on sid: each batch is one short statement, and rows the old app adds
  // meanwhile are picked up when their sid sorts after the cursor (or by the next run).
  const select = `SELECT sid, sess::text AS sess, expire::timestamptz AS expire
    FROM ${source.qualified} WHERE sid > $1 AND expire > now() ORDER BY sid LIMIT $2`
  const upsert = `INSERT INTO ${into} AS s (key, data, created_on, modified_on, expires_on, version)
    SELECT k, d, now(), now(), e, 1 FROM unnest($1::bytea[], $2::bytea[], $3::timestamptz[]) AS u(k, d, e)
    ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, modified_on = now(),
      expires_on = EXCLUDED.expires_on
    WHERE s.version = 1 AND s.expires_on < EXCLUDED.expires_on
    RETURNING (xmax = 0) AS inserted`
  // What an upsert would do, without doing it.
  const preview = `SELECT count(*) FILTER (WHERE s.key IS NULL)::int AS inserted,
      count(*) FILTER (WHERE s.version = 1 AND s.expires_on < u.e)::int AS updated
    FROM unnest($1::bytea[], $2::timestamptz[]) AS u(k, e) LEFT JOIN ${into} AS s ON s.key = u.k`

  const report: ImportReport = {
    from: 'connect-pg-simple',
    source: source.qualified,
    table: into,
    read: 0,
    inserted: 0,
    updated: 0,
    kept: 0,
    skipped: 0,
    batches: 0,
    dryRun: values['dry-run'],
    durationMs: 0,
  }
  const started = performance.now()
  let cursor = ''
  try {
    for (;;) {
      const rows = await query<SourceRow>('read connect-pg-simple sessions', select, [
        cursor,
        batchSize,
      ])
      if (rows.length === 0) break
      cursor = rows.at(-1)?.sid ?? cursor
      const keys: Buffer[] = []
      const data: Buffer[] = []
      const expiries: Date[] = []
      for (const row of rows) {
        const json = sessionJson(row.sess)
        let encoded: string | undefined
        try {
          encoded = json === undefined ? undefined : encodeMulti(values.name, json, codecs)
        } catch (error) {
          if (!isErrorKind(error, 'usage')) throw error
        }
        if (encoded === undefined || row.sid === '') {
          report.skipped++
          continue
        }
        keys.push(Buffer.from(row.sid, 'utf8'))
        data.push(Buffer.from(encoded, 'latin1'))
        expiries.push(row.expire)
      }
      let inserted = 0
      let updated = 0
      if (report.dryRun) {
        const [counts] = await query<{ inserted: number; updated: number }>(
          'preview import',
          preview,
          [keys, expiries],
        )
        inserted = counts?.inserted ?? 0
        updated = counts?.updated ?? 0
      } else if (keys.length > 0) {
        const written = await query<{ inserted: boolean }>('import sessions', upsert, [
          keys,
          data,
          expiries,
        ])
        inserted = written.filter((row) => row.inserted).length
        updated = written.length - inserted
      }
      report.read += rows.length
      report.inserted += inserted
      report.updated += updated
      report.kept += keys.length - inserted - updated
      report.batches++
      io.stderr.write(
        `import: batch ${report.batches}: ${report.read} read, ${report.inserted} inserted, ${report.updated} updated, ${report.kept} kept, ${report.skipped} skipped\n`,
      )
      if (rows.length < batchSize) break
    }
  } finally {
    await db.close()
  }
  report.durationMs = Math.round(performance.now() - started)
  if (values.json) printJson(io, report)
  else {
    const verb = report.dryRun ? 'would copy' : 'copied'
    io.stdout.write(
      `${verb} ${report.inserted + report.updated} of ${report.read} live sessions from ${source.qualified} into ${into} (${report.inserted} new, ${report.updated} refreshed, ${report.kept} kept, ${report.skipped} skipped) in ${report.batches} batch(es)\n`,
    )
  }
  return 0
}
