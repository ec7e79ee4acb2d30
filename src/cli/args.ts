/**
 * @module Command-line arguments: the options every database command shares, `parseArgs` failures
 * turned into usage errors, and the database URL with its password kept out of every message.
 */
import { UsageError } from '../errors.ts'
import { type TableRef, tableRef } from '../pg/identifiers.ts'

/** The `parseArgs` options of every command that talks to the database. */
export const databaseOptions: {
  'database-url': { type: 'string' }
  schema: { type: 'string' }
  table: { type: 'string' }
  json: { type: 'boolean'; default: false }
  help: { type: 'boolean'; short: 'h'; default: false }
} = {
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  table: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
}

/** The help lines for {@link databaseOptions}, appended to each command's own. */
export const databaseOptionsHelp: string = `Database options:
  --database-url URL   PostgreSQL URL. Default: $DATABASE_URL (prefer it: arguments show in ps)
  --schema NAME        schema of the sessions table. Default: the connection's search_path
  --table NAME         sessions table. Default: http_sessions
  --json               print one JSON document instead of text
  -h, --help           print this help`

/**
 * Runs a `parseArgs` call, turning its `ERR_PARSE_ARGS_*` errors into a {@link UsageError} with the
 * first sentence of Node's message (the rest is advice about `--` that rarely applies).
 */
export function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      const message = (error as Error).message.split(/\.\s/)[0] ?? 'invalid arguments'
      throw new UsageError('ERR_INVALID_OPTION', message.replace(/\.$/, ''))
    }
    throw error
  }
}

/** `--name N` as an integer from 1 to `max`; `fallback` when absent. */
export function positiveInteger(
  value: string | undefined,
  name: string,
  fallback: number,
  max = 1_000_000,
): number {
  if (value === undefined) return fallback
  const number = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new UsageError('ERR_INVALID_OPTION', `--${name} must be an integer from 1 to ${max}`)
  }
  return number
}

/** Where a command connects, and what it may print about it. */
export interface DatabaseTarget {
  /** The URL as given, password included: for the driver only, never for output. */
  url: string
  /** `postgres://user@host:port/db`: no password, no query string. */
  display: string
  /** The validated sessions table. */
  table: TableRef
}

const schemes = new Set(['postgres:', 'postgresql:', 'socket:'])

/**
 * The database and table from `--database-url` (else `DATABASE_URL`), `--schema` and `--table`.
 * Throws a {@link UsageError} without echoing the URL, which may hold a password.
 */
export function databaseTarget(
  values: { 'database-url'?: string | undefined; schema?: string | undefined; table?: string },
  env: Readonly<Record<string, string | undefined>>,
): DatabaseTarget {
  const table = tableRef(values.table, values.schema)
  const url = values['database-url'] ?? env.DATABASE_URL ?? ''
  if (url === '') {
    throw new UsageError(
      'ERR_INVALID_OPTION',
      'no database: set DATABASE_URL or pass --database-url',
    )
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UsageError('ERR_INVALID_OPTION', 'the database URL is not a valid URL')
  }
  if (!schemes.has(parsed.protocol)) {
    throw new UsageError('ERR_INVALID_OPTION', 'the database URL must start with postgres://')
  }
  const user = parsed.username === '' ? '' : `${parsed.username}@`
  const display =
    parsed.protocol === 'socket:'
      ? 'a local socket'
      : `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`
  return { url, display, table }
}
