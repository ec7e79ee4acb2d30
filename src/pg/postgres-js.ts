/**
 * @module An adapter from postgres.js (`postgres` on npm) to pgstore's {@link SqlClient}.
 */
import type { QueryConfig, QueryResultLike, SqlClient, SqlConnection } from './driver.ts'

/** The part of a postgres.js `Sql` (or reserved connection) the adapter uses. */
export interface PostgresJsLike {
  unsafe(
    text: string,
    values?: unknown[],
    options?: { prepare?: boolean },
  ): PromiseLike<ArrayLike<unknown> & { count?: number | null }>
  reserve?(): Promise<PostgresJsLike & { release(): void }>
}

function run(sql: PostgresJsLike) {
  return async <R>(config: QueryConfig): Promise<QueryResultLike<R>> => {
    const result = await sql.unsafe(config.text, config.values ?? [], {
      prepare: config.name !== undefined,
    })
    return { rows: Array.from(result) as R[], rowCount: result.count ?? result.length }
  }
}

/**
 * Wraps a postgres.js client. Named queries become prepared statements (`prepare: true`);
 * transactions use `sql.reserve()`. Behind a transaction pooler (PgBouncer before 1.21 in
 * transaction mode, hosted poolers), create the client with `postgres(url, { prepare: false })`
 * and the store with `preparedStatements: false`: postgres.js with prepared statements hangs there
 * instead of failing, so the store's `'auto'` switch cannot see it.
 *
 * @example
 * ```ts
 * import postgres from 'postgres'
 * const store = await newPGStoreFromPool(postgresJsClient(postgres(url)), hashKey)
 * ```
 */
export function postgresJsClient(sql: PostgresJsLike): SqlClient {
  const client: SqlClient = { query: run(sql) }
  const reserve = sql.reserve?.bind(sql)
  if (reserve) {
    client.connect = async (): Promise<SqlConnection> => {
      const reserved = await reserve()
      return { query: run(reserved), release: () => reserved.release() }
    }
  }
  return client
}
