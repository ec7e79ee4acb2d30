/**
 * @module The driver shape pgstore needs: one `query` method taking a query config, and an optional
 * `connect` for transactions. A `pg` `Pool` fits as it is; `postgres` (postgres.js) fits through
 * {@link postgresJsClient}. pgstore never imports a driver type for this, so neither is required.
 */
import { UsageError } from '../errors.ts'

/** A query: `name` makes it a prepared statement where the driver supports that. */
export interface QueryConfig {
  name?: string
  text: string
  values?: unknown[]
}

/** The part of a result pgstore reads. */
export interface QueryResultLike<R> {
  rows: R[]
  rowCount: number | null
}

/** A connection held for a transaction; `release` returns it (with an error: discards it). */
export interface SqlConnection {
  query<R = Record<string, unknown>>(config: QueryConfig): Promise<QueryResultLike<R>>
  release(error?: Error | boolean): void
}

/** What pgstore calls on a driver. `connect` is needed for migrations and merge-mode saves. */
export interface SqlClient {
  query<R = Record<string, unknown>>(config: QueryConfig): Promise<QueryResultLike<R>>
  connect?(): Promise<SqlConnection>
}

/**
 * Runs `work` in a transaction on one connection; rolls back and discards it on failure. A
 * transaction that failed on a pooler's prepared-statement error (see
 * {@link isPreparedStatementConflict}) is run once more: it was rolled back, nothing was written,
 * and the client has switched to unnamed statements by then.
 */
export async function transaction<T>(
  client: SqlClient,
  work: (connection: SqlConnection) => Promise<T>,
): Promise<T> {
  try {
    return await transactionOnce(client, work)
  } catch (error) {
    if (!isPreparedStatementConflict(error)) throw error
    return transactionOnce(client, work)
  }
}

async function transactionOnce<T>(
  client: SqlClient,
  work: (connection: SqlConnection) => Promise<T>,
): Promise<T> {
  if (!client.connect) {
    throw new TypeError('this driver has no connect(): transactions are not available')
  }
  const connection = await client.connect()
  try {
    await connection.query({ text: 'BEGIN' })
    const result = await work(connection)
    await connection.query({ text: 'COMMIT' })
    connection.release()
    return result
  } catch (error) {
    await connection.query({ text: 'ROLLBACK' }).catch(() => {})
    connection.release(error instanceof Error ? error : true)
    throw error
  }
}

/**
 * Whether the store prepares its statements (named statements, parsed once per connection).
 * - `'auto'` (default): prepared, until a pooler in transaction mode shows it mixes server
 *   connections (`42P05` "already exists" or `26000` "does not exist"); then unnamed from there on.
 * - `true`: always prepared (a direct connection or a session-mode pooler).
 * - `false`: never (PgBouncer before 1.21 in transaction mode, hosted transaction poolers).
 */
export type PreparedStatements = 'auto' | boolean

/**
 * True for the two errors a transaction-mode pooler gives a named statement: the server connection
 * already has one of that name (`42P05`), or lacks the one this connection prepared (`26000`). Both
 * come from Parse or Bind, before Execute: nothing ran, so running the statement again is safe.
 */
export function isPreparedStatementConflict(error: unknown): boolean {
  const code = typeof error === 'object' && error ? (error as { code?: unknown }).code : undefined
  return code === '42P05' || code === '26000'
}

/**
 * Wraps `client` so its statements are prepared or not as `mode` says. In `'auto'`, the first
 * prepared-statement conflict switches to unnamed statements for good, calls `onSwitch` once with
 * the SQLSTATE, and runs the failed statement again unnamed (outside a transaction; a transaction
 * is run again whole by {@link transaction}).
 */
export function withPreparedStatements(
  client: SqlClient,
  mode: PreparedStatements,
  onSwitch: (sqlState: string) => void,
): SqlClient {
  if (mode !== 'auto' && mode !== true && mode !== false) {
    throw new UsageError('ERR_INVALID_OPTION', "preparedStatements must be 'auto', true or false")
  }
  let named = mode !== false
  const shape = (config: QueryConfig): QueryConfig =>
    named || config.name === undefined ? config : { text: config.text, values: config.values ?? [] }
  const noticed = (error: unknown, config: QueryConfig): boolean => {
    if (mode !== 'auto' || config.name === undefined || !isPreparedStatementConflict(error)) {
      return false
    }
    if (named) {
      named = false
      onSwitch((error as { code: string }).code)
    }
    return true
  }
  const wrapped: SqlClient = {
    async query<R>(config: QueryConfig) {
      const sent = shape(config)
      try {
        return await client.query<R>(sent)
      } catch (error) {
        if (sent.name === undefined || !noticed(error, sent)) throw error
        return client.query<R>(shape(config))
      }
    },
  }
  if (client.connect) {
    const connect = client.connect.bind(client)
    wrapped.connect = async () => {
      const connection = await connect()
      return {
        async query<R>(config: QueryConfig) {
          const sent = shape(config)
          try {
            return await connection.query<R>(sent)
          } catch (error) {
            noticed(error, sent)
            throw error
          }
        },
        release: (error?: Error | boolean) => connection.release(error),
      }
    }
  }
  return wrapped
}
