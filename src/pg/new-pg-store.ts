/**
 * @module The constructors, named as in Go: `newPGStore` (from a URL, owning its pool) and
 * `newPGStoreFromPool` (from your pool, which it never ends).
 */
import { UsageError } from '../errors.ts'
import type { StoreKeyPairs } from '../store/key-pairs.ts'
import type { SqlClient } from './driver.ts'
import { toStoreError } from './errors.ts'
import { parseHostList } from './hosts.ts'
import { ManagedPool } from './managed-pool.ts'
import { migrate } from './migrate.ts'
import { PGStore } from './pg-store.ts'
import type { PGStoreOptions } from './store-options.ts'

/**
 * Key pairs (`hash1, block1, hash2, block2, ...`, newest first, each key a `Uint8Array`), optionally
 * ending in options. One flat element type (not a tuple) so a mistyped option reads as "'tabel' does
 * not exist in type ..." rather than a tuple mismatch.
 */
export type KeyPairsAndOptions<O = PGStoreOptions> = Array<Uint8Array | null | undefined | O>

/** `newPGStore`'s options: the store's, plus the pool it builds. */
export interface NewPGStoreOptions extends PGStoreOptions {
  /** Settings of the pool `newPGStore` creates. Defaults: see {@link PoolOptions}. */
  pool?: PoolOptions | undefined
}

/** Pool settings for `newPGStore`; each has a safe default. */
export interface PoolOptions {
  /** Most connections. Default `10`. */
  max?: number
  /** How long a request waits for a free connection before `ERR_STORE_POOL_TIMEOUT`. Default `5000` ms. */
  connectionTimeoutMillis?: number
  /**
   * Longest wait for each statement, commit included, however the server or the network behaves;
   * then the statement is cancelled on the server, its connection destroyed, and the call fails with
   * `ERR_STORE_TIMEOUT` (a write's outcome is then unknown). Enforced by the client, so it works
   * through PgBouncer (which rejects `statement_timeout` as a startup parameter). `0`: no limit.
   * Default `5000` ms.
   */
  statementTimeoutMillis?: number
  /** Close idle connections after this long. Default `10000` ms. */
  idleTimeoutMillis?: number
  /** Shown in `pg_stat_activity`, to find (or terminate) this store's connections. Default `'pgstore'`. */
  applicationName?: string
}

function split<O extends PGStoreOptions>(args: KeyPairsAndOptions<O>): [StoreKeyPairs, Partial<O>] {
  const last = args.at(-1)
  const isOptions = last !== null && typeof last === 'object' && !(last instanceof Uint8Array)
  const keys = (isOptions ? args.slice(0, -1) : args) as StoreKeyPairs
  return [keys, isOptions ? (last as O) : ({} as Partial<O>)]
}

/**
 * A store on `pool` (a `pg` Pool or any {@link SqlClient}), which it uses and never ends. Applies
 * pending migrations first unless `{ migrate: false }`.
 *
 * @example
 * ```ts
 * const hashKey = Buffer.from(process.env.SESSION_HASH_KEY!, 'base64') // from `pgstore keygen`
 * const blockKey = Buffer.from(process.env.SESSION_BLOCK_KEY!, 'base64')
 * const store = await newPGStoreFromPool(pool, hashKey, blockKey, { table: 'sessions' })
 * ```
 */
export async function newPGStoreFromPool(
  pool: SqlClient,
  ...keyPairs: KeyPairsAndOptions
): Promise<PGStore> {
  const [keys, options] = split(keyPairs)
  const store = new PGStore(pool, keys, options)
  if (options.migrate !== false) {
    await migrate(pool, { schema: options.schema, table: options.table })
  }
  return store
}

/**
 * A store with its own `pg` pool for `dbURL`; `store.close()` ends the pool. The pool always has
 * an `error` listener (an idle connection dropped by a restarting server never crashes the
 * process), a connection timeout and a client-side deadline on every statement.
 *
 * `dbURL` may list several servers, as libpq does:
 * `postgres://user@db1:5432,db2:5432/app?target_session_attrs=read-write`. The store then uses
 * the first that takes writes, and when it turns read-only or unreachable (a failover), moves to
 * whichever is the primary then, with no application code (`failover` event).
 *
 * @example
 * ```ts
 * const store = await newPGStore(
 *   process.env.DATABASE_URL!,
 *   Buffer.from(process.env.SESSION_HASH_KEY!, 'base64'), // `pgstore keygen` prints the pair
 *   Buffer.from(process.env.SESSION_BLOCK_KEY!, 'base64'),
 * )
 * ```
 * @throws {UsageError} `ERR_HASH_KEY_NOT_SET` without a hash key or for a key that is not bytes
 *   (a string is refused: it could mean base64 or UTF-8, and two services reading it differently
 *   would reject each other's cookies).
 */
export async function newPGStore(
  dbURL: string,
  ...keyPairs: KeyPairsAndOptions<NewPGStoreOptions>
): Promise<PGStore> {
  if (typeof dbURL !== 'string' || dbURL === '') {
    throw new UsageError('ERR_INVALID_OPTION', 'newPGStore needs a database URL')
  }
  const [keys, options] = split<NewPGStoreOptions>(keyPairs)
  const poolOptions = options.pool ?? {}
  let store: PGStore | undefined
  const pool = new ManagedPool(parseHostList(dbURL), {
    max: poolOptions.max ?? 10,
    connectionTimeoutMillis: poolOptions.connectionTimeoutMillis ?? 5000,
    idleTimeoutMillis: poolOptions.idleTimeoutMillis ?? 10_000,
    statementTimeoutMillis: poolOptions.statementTimeoutMillis ?? 5000,
    applicationName: poolOptions.applicationName ?? 'pgstore',
    onError: (error) => store?.events.notify('error', toStoreError(error, 'idle connection')),
    onFailover: (info) => store?.events.notify('failover', info),
  })
  store = new PGStore(pool, keys, options, () => pool.end())
  try {
    if (options.migrate !== false)
      await migrate(store.pool, { schema: options.schema, table: options.table })
  } catch (error) {
    await pool.end().catch(() => {})
    throw error
  }
  return store
}
