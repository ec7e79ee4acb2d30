/**
 * @module Driver failures mapped to typed store errors. The driver's message is not copied: it can
 * quote values. Its SQLSTATE is kept; the `cause` (non-enumerable) is the driver error, or for an
 * error the server sent, a copy of its codes and names only, without the message or the detail.
 */
import { PgStoreError, StoreError } from '../errors.ts'

const bySqlState: Record<string, [StoreError['code'], string]> = {
  '57P01': ['ERR_STORE_UNAVAILABLE', 'the database terminated the connection'],
  '57P02': ['ERR_STORE_UNAVAILABLE', 'the database is restarting'],
  '57P03': ['ERR_STORE_UNAVAILABLE', 'the database is not accepting connections yet'],
  '53300': ['ERR_STORE_UNAVAILABLE', 'the database has no free connection slots'],
  '08000': ['ERR_STORE_UNAVAILABLE', 'the database connection failed'],
  '08003': ['ERR_STORE_UNAVAILABLE', 'the database connection does not exist'],
  '08006': ['ERR_STORE_UNAVAILABLE', 'the database connection failed'],
  '57014': ['ERR_STORE_TIMEOUT', 'the query was cancelled (statement_timeout)'],
  '55P03': ['ERR_STORE_TIMEOUT', 'the query could not get a lock in time (lock_timeout)'],
  '25006': ['ERR_STORE_READ_ONLY', 'the database is read-only (a standby after failover?)'],
  '28P01': ['ERR_STORE_UNAVAILABLE', 'password authentication failed'],
  '28000': ['ERR_STORE_UNAVAILABLE', 'the server refused this user or host (pg_hba.conf)'],
  '3D000': ['ERR_STORE_UNAVAILABLE', 'the database does not exist'],
  '42P01': ['ERR_STORE_TABLE_MISSING', 'the sessions table does not exist: run `pgstore migrate`'],
  '42703': ['ERR_STORE_TABLE_MISSING', 'the sessions table lacks a column: run `pgstore migrate`'],
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
])

/** Why a connection failed, by Node's error code: the CLI and the library say the same. */
const connectionReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running there?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
}

// What a server error may keep: names and codes. Its message, detail (`Failing row contains
// (...)`, `Key (key)=(...)`), where, hint and query text can quote row values, a live id among them.
const safeFields = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType']

/** The driver's server error reduced to {@link safeFields}, as the `cause` of a store error. */
function redacted(error: Record<string, unknown>, code: string): Error {
  const copy = new Error(`the database rejected the query (SQLSTATE ${code})`)
  copy.name = 'DatabaseError'
  for (const field of safeFields) {
    if (typeof error[field] === 'string') Object.assign(copy, { [field]: error[field] })
  }
  return copy
}

/** Wraps any driver failure as a {@link StoreError}; pgstore's own errors pass through. */
export function toStoreError(error: unknown, doing: string): PgStoreError {
  if (error instanceof PgStoreError) return error
  const code = typeof error === 'object' && error ? (error as { code?: unknown }).code : undefined
  const message = error instanceof Error ? error.message : ''
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !connectionCodes.has(code)) {
    const [ours, text] = bySqlState[code] ?? ['ERR_STORE_QUERY', `the database rejected the query`]
    return new StoreError(ours, `${doing}: ${text} (SQLSTATE ${code})`, {
      cause: redacted(error as Record<string, unknown>, code),
      sqlState: code,
    })
  }
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return new StoreError(
      'ERR_STORE_POOL_TIMEOUT',
      `${doing}: no database connection was free in time`,
      {
        cause: error,
      },
    )
  }
  if (/Query read timeout|query_timeout/i.test(message)) {
    return new StoreError('ERR_STORE_TIMEOUT', `${doing}: the database did not answer in time`, {
      cause: error,
    })
  }
  if (/pool.*(ended|end on a pool)|Cannot use a pool after calling end/i.test(message)) {
    return new StoreError('ERR_STORE_CLOSED', `${doing}: the store is closed`, { cause: error })
  }
  const reason = typeof code === 'string' ? connectionReasons[code] : undefined
  const text = `the database could not be reached${reason === undefined ? '' : `: ${reason}`}`
  return new StoreError('ERR_STORE_UNAVAILABLE', `${doing}: ${text}`, { cause: error })
}
