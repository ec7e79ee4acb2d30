/**
 * @module The driver shape pgstore needs: one `query` method taking a query config, and an optional
 * `connect` for transactions. A `pg` `Pool` fits as it is; `postgres` (postgres.js) fits through
 * {@link postgresJsClient}. pgstore never imports a driver type for this, so neither is required.
 */

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

/** Runs `work` in a transaction on one connection; rolls back and discards it on failure. */
export async function transaction<T>(
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
