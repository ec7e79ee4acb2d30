/**
 * @module PGStore: sessions in PostgreSQL, the cookie carrying only a signed (and optionally
 * encrypted) id, as Go's antonlindstrom/pgstore does it, with its pitfalls fixed.
 *
 * The class is the public face; each part lives in a file of its own and shares a
 * {@link StoreContext}: the read path (`read-path.ts`), the write path (`write-path.ts`, with
 * `merge.ts`), renew and destroy (`renew.ts`), an owner's sessions (`owners.ts`), and cleanup
 * (`cleanup.ts`).
 */
import { gobSerializer } from '../codec/gob/gob-serializer.ts'
import type { SecureCookie } from '../codec/index.ts'
import { type PgStoreError, UsageError } from '../errors.ts'
import { assertCookieName, type CookieOptions, validateCookieOptions } from '../session/options.ts'
import { Session, type SessionValues } from '../session/session.ts'
import { StoreEventEmitter } from '../store/events.ts'
import { type StoreKeyPairs, storeCodecs } from '../store/key-pairs.ts'
import { type RequestContext, RequestStore } from '../store/store.ts'
import {
  type CleanupHandle,
  type CleanupReport,
  type DeleteExpiredOptions,
  deleteExpiredRows,
  startCleanupLoop,
} from './cleanup.ts'
import type { StoreContext } from './context.ts'
import { CookieCache } from './cookie-cache.ts'
import { type SqlClient, withPreparedStatements } from './driver.ts'
import { type TableRef, tableRef } from './identifiers.ts'
import { listSessions, type OwnedSession, revokeSession, revokeSessions } from './owners.ts'
import { buildQueries } from './queries.ts'
import { loadSession } from './read-path.ts'
import { destroySession, renewSession } from './renew.ts'
import { RowCache } from './row-cache.ts'
import { type PGStoreOptions, resolveStoreOptions } from './store-options.ts'
import { commitSession } from './write-path.ts'

/** A row of the sessions table, as Go's `PGSession`. */
export interface PGSession {
  id: string
  key: string
  data: string
  createdOn: Date
  modifiedOn: Date
  expiresOn: Date
}

/**
 * Sessions in PostgreSQL. Build one with `newPGStore(url, ...keys)` or
 * `newPGStoreFromPool(pool, ...keys)`; the constructor itself does no I/O.
 *
 * @example
 * ```ts
 * const store = await newPGStore(process.env.DATABASE_URL, hashKey, blockKey)
 * const session = await store.get(req, 'sid')
 * session.values.user = 'ada'
 * await store.save(req, res, session)
 * ```
 */
export class PGStore extends RequestStore {
  /** The codecs, newest key pair first: the first encodes, any decodes. */
  readonly codecs: SecureCookie[]
  /**
   * The same key pairs with no length limit (`maxLength` 0): the express-session store's, whose
   * sessions may be as large as MemoryStore or connect-pg-simple take.
   */
  readonly unboundedCodecs: SecureCookie[]
  /** Cookie options every new session copies. */
  readonly options: CookieOptions
  /** The driver: a `pg` Pool or any {@link SqlClient}. */
  readonly pool: SqlClient
  /** Typed events for logs and metrics; see `StoreEvents`. */
  readonly events: StoreEventEmitter = new StoreEventEmitter()
  /** The table this store uses. */
  readonly table: TableRef

  readonly #ctx: StoreContext
  readonly #cleanups = new Set<CleanupHandle>()
  readonly #onClose: (() => Promise<void>) | undefined
  #closed = false

  constructor(
    pool: SqlClient,
    keyPairs: StoreKeyPairs,
    options: PGStoreOptions = {},
    onClose?: () => Promise<void>,
  ) {
    super()
    if (!pool || typeof pool.query !== 'function') {
      throw new UsageError('ERR_INVALID_OPTION', 'pool must have a query() method (a pg Pool)')
    }
    const settings = resolveStoreOptions(options)
    // Behind a transaction pooler a named statement may exist on one server connection and not
    // another: the wrapper falls back to unnamed statements once (see PreparedStatements).
    this.pool = withPreparedStatements(pool, options.preparedStatements ?? 'auto', (sqlState) =>
      this.events.notify('preparedStatementsOff', { sqlState }),
    )
    this.table = tableRef(options.table, options.schema)
    this.options = settings.cookie
    const codecOptions = {
      now: settings.now,
      ...(settings.random ? { randomBytes: settings.random } : {}),
    }
    this.codecs = storeCodecs('PGStore', keyPairs, codecOptions)
    for (const codec of this.codecs) {
      codec
        .setSerializer(settings.serializer)
        .maxLength(settings.maxLength)
        .maxAge(this.options.maxAge)
    }
    this.unboundedCodecs = storeCodecs('PGStore', keyPairs, codecOptions)
    for (const codec of this.unboundedCodecs) codec.setSerializer(settings.serializer).maxLength(0)
    this.#ctx = {
      pool: this.pool,
      table: this.table,
      queries: buildQueries(this.table),
      codecs: this.codecs,
      settings,
      events: this.events,
      states: new WeakMap(),
      cookies: new CookieCache(this.codecs, settings.serializer, settings.now),
      // gob keeps each number's Go type on the decoded containers: a copy would lose it.
      rows: new RowCache(settings.serializer !== gobSerializer),
    }
    this.#onClose = onClose
  }

  // Lifecycle of one request ----------------------------------------------------------------

  /** Loads session `name` from a `Cookie` header. See `SessionCore.load`. */
  async load<V extends object = SessionValues>(
    cookieHeader: string | null | undefined,
    name: string,
    _context?: RequestContext,
  ): Promise<Session<V>> {
    assertCookieName(name)
    this.#assertOpen()
    return loadSession(this.#ctx, new Session<V>(this, name, this.options), cookieHeader)
  }

  /** Persists what changed and returns the `Set-Cookie` to send. See `SessionCore.commit`. */
  async commit(
    session: Session<SessionValues>,
    context: RequestContext = {},
  ): Promise<string | undefined> {
    this.#assertOwn(session)
    validateCookieOptions(session.options, session.name)
    return commitSession(this.#ctx, session, context)
  }

  // Operations beyond gorilla/sessions ----------------------------------------------------

  /**
   * Gives `session` a new id, keeping its values; the old row is deleted in the same statement, so
   * the old cookie then loads as a new, empty session. Call it at sign-in and privilege changes.
   * Throws `ConflictError` when the session was destroyed or renewed meanwhile.
   */
  async renew(session: Session<SessionValues>, context: RequestContext = {}): Promise<void> {
    this.#assertOpen()
    return renewSession(this.#ctx, session, context)
  }

  /** Deletes the session's row now; the next commit sends an expiring cookie. Idempotent. */
  async destroy(session: Session<SessionValues>): Promise<void> {
    this.#assertOpen()
    return destroySession(this.#ctx, session)
  }

  /** The live sessions of `owner`, most recently active first. */
  async listSessions(owner: string, current?: Session<SessionValues>): Promise<OwnedSession[]> {
    this.#assertOpen()
    return listSessions(this.#ctx, owner, current)
  }

  /**
   * Deletes every session of `owner` ("sign out everywhere"), except `except` when given: a
   * session (typically the current one) or a handle from `listSessions`. Returns the count.
   */
  async revokeSessions(
    owner: string,
    options: { except?: Session<SessionValues> | string } = {},
  ): Promise<number> {
    this.#assertOpen()
    return revokeSessions(this.#ctx, owner, options.except)
  }

  /** Deletes one session of `owner` by its `listSessions` handle. True if there was one. */
  async revokeSession(owner: string, handle: string): Promise<boolean> {
    this.#assertOpen()
    return revokeSession(this.#ctx, owner, handle)
  }

  // Go's configuration methods ---------------------------------------------------------------

  /** Sets the default cookie lifetime and every codec's timestamp window (Go's `MaxAge`). */
  maxAge(age: number): void {
    if (!Number.isSafeInteger(age))
      throw new UsageError('ERR_INVALID_OPTION', 'maxAge must be an integer')
    this.options.maxAge = age
    for (const codec of this.codecs) codec.maxAge(Math.max(age, 0))
  }

  /** Sets the longest encoded cookie and `data` value on every codec; 0 = no limit (Go's `MaxLength`). */
  maxLength(length: number): void {
    for (const codec of this.codecs) codec.maxLength(length)
  }

  // Cleanup ----------------------------------------------------------------------------------

  /**
   * One cleanup pass: deletes expired rows in batches, if no other process is cleaning. For cron
   * and the `pgstore cleanup` command.
   */
  async deleteExpired(options: DeleteExpiredOptions = {}): Promise<CleanupReport> {
    this.#assertOpen()
    const batchSize = this.#ctx.settings.batchSize
    const report = await deleteExpiredRows(this.pool, this.#ctx.queries, this.table, {
      ...(batchSize === undefined ? {} : { batchSize }),
      ...options,
    })
    this.events.notify('cleanup', report)
    return report
  }

  /**
   * Starts deleting expired rows every `intervalMs` (default 5 minutes, as Go), jittered. Returns a
   * handle for {@link stopCleanup}. The timer never keeps the process alive; failures are emitted
   * as `error` events and the loop goes on.
   */
  cleanup(intervalMs = 300_000): CleanupHandle {
    this.#assertOpen()
    const interval = intervalMs > 0 ? intervalMs : 300_000
    const handle = startCleanupLoop(interval, (signal) =>
      this.deleteExpired({ signal }).catch((error: PgStoreError) => {
        this.events.notify('error', error)
      }),
    )
    this.#cleanups.add(handle)
    return handle
  }

  /** Stops a cleanup started by {@link cleanup} and waits for a pass in flight. Idempotent. */
  async stopCleanup(handle: CleanupHandle): Promise<void> {
    this.#cleanups.delete(handle)
    await handle.stop()
  }

  /** Stops every cleanup, then ends the pool if this store created it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#cleanups].map((handle) => handle.stop()))
    this.#cleanups.clear()
    await this.#onClose?.()
  }

  #assertOpen(): void {
    if (this.#closed) throw new UsageError('ERR_STORE_CLOSED', 'the store is closed')
  }

  #assertOwn(session: Session<SessionValues>): void {
    if (session.store !== this) {
      throw new UsageError('ERR_INVALID_SESSION', 'this session belongs to another store')
    }
    this.#assertOpen()
  }
}
