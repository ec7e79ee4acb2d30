/**
 * @module PGStore: sessions in PostgreSQL, the cookie carrying only a signed (and optionally
 * encrypted) id, as Go's antonlindstrom/pgstore does it, with its pitfalls fixed.
 *
 * Reads are one statement and never write. A save writes only what changed: an unchanged session
 * costs nothing, or one `touch` when `touchAfter` has passed. Expiry (lifetime, idle, absolute) is
 * decided in SQL by the database clock.
 */
import { isDeepStrictEqual } from 'node:util'
import type { DecodeOverrides, KeyMaterial, SecureCookie, Serializer } from '../codec/index.ts'
import {
  codecsFromPairs,
  deserializeWith,
  jsonSerializer,
  openMulti,
  sealMulti,
  serializeWith,
} from '../codec/index.ts'
import { ConflictError, DecodeError, type PgStoreError, UsageError } from '../errors.ts'
import { readCookie, renderSetCookie } from '../session/cookie-header.ts'
import { newSessionId, type RandomBytes, sessionIdPattern } from '../session/id.ts'
import {
  assertCookieName,
  type CookieOptions,
  resolveCookieOptions,
  validateCookieOptions,
} from '../session/options.ts'
import { Session, type SessionValues } from '../session/session.ts'
import { StoreEventEmitter } from '../store/events.ts'
import { type RequestContext, RequestStore } from '../store/store.ts'
import {
  type CleanupHandle,
  type CleanupReport,
  type DeleteExpiredOptions,
  deleteExpiredRows,
  startCleanupLoop,
} from './cleanup.ts'
import {
  type PreparedStatements,
  type SqlClient,
  type SqlConnection,
  transaction,
  withPreparedStatements,
} from './driver.ts'
import { toStoreError } from './errors.ts'
import { type TableRef, tableRef } from './identifiers.ts'
import { buildQueries, type Queries } from './queries.ts'

/**
 * What two saves of one session do when they race.
 * - `'last-write-wins'` (default): each save writes its whole snapshot in one statement; the later
 *   one wins, never a mix of both. A save never brings back a destroyed or renewed session.
 * - `'optimistic'`: a save succeeds only if nobody wrote since this request loaded the session;
 *   otherwise it throws `ConflictError` (`reason: 'version'`) and writes nothing.
 * - `'merge'`: a save applies only the keys this request changed onto the current row, inside one
 *   transaction (row lock), so concurrent requests changing different keys both survive.
 */
export type ConcurrencyMode = 'last-write-wins' | 'optimistic' | 'merge'

/** PGStore options. Every field is optional. */
export interface PGStoreOptions {
  /** Schema of the table. Default: the connection's search path (Go's behaviour). */
  schema?: string | undefined
  /** Table name. Default `'http_sessions'` (Go's). */
  table?: string | undefined
  /** Apply pending migrations when the store is created by `newPGStore*`. Default `true`. */
  migrate?: boolean | undefined
  /** How values become bytes. Default `jsonSerializer`; `gobSerializer` to share rows with Go. */
  serializer?: Serializer | undefined
  /** Cookie options for new sessions. Defaults: see `defaultCookieOptions`. */
  cookie?: Partial<CookieOptions> | undefined
  /** Longest encoded cookie and `data` value, in bytes; 0 = no limit. Default `4096` (Go's). */
  maxLength?: number | undefined
  /**
   * Sliding idle timeout in seconds: a session not written (or touched) for this long is gone.
   * Default: none, the session lives `maxAge` after its last write (Go's behaviour).
   */
  idleTimeout?: number | undefined
  /** Absolute timeout in seconds from creation, never extended by activity. Default: none. */
  absoluteTimeout?: number | undefined
  /**
   * An unchanged session extends its expiry (one UPDATE, and the cookie is re-sent) only when its
   * last write is older than this many seconds. Default `300`, or a tenth of `idleTimeout` when
   * that is shorter.
   */
  touchAfter?: number | undefined
  /** See {@link ConcurrencyMode}. Default `'last-write-wins'`. */
  concurrency?: ConcurrencyMode | undefined
  /** Rows per cleanup batch. Default: adaptive (see `DeleteExpiredOptions.batchSize`). */
  cleanupBatchSize?: number | undefined
  /** Random source for session ids and IVs. Default `crypto.randomBytes`. */
  randomBytes?: RandomBytes | undefined
  /** Clock for cookie timestamps, in milliseconds. Default `Date.now`. Expiry uses the DB clock. */
  now?: (() => number) | undefined
  /** Named (prepared) statements or not; see `PreparedStatements`. Default `'auto'`. */
  preparedStatements?: PreparedStatements | undefined
}

/** A row of the sessions table, as Go's `PGSession`. */
export interface PGSession {
  id: string
  key: string
  data: string
  createdOn: Date
  modifiedOn: Date
  expiresOn: Date
}

/** One of an owner's sessions, as `listSessions` reports it. */
export interface OwnedSession {
  /** An opaque handle for `revokeSession`: not the session id, which never leaves the server. */
  handle: string
  /** True for the session passed as `current`. */
  current: boolean
  createdOn: Date
  lastActive: Date
  expiresOn: Date
  userAgent: string | null
}

interface LoadedRow {
  data: unknown
  version: string | number
  owner: string | null
  stale: boolean
}

/** What the store remembers about a session between load and save. */
interface SessionState {
  /** The serialized values as last loaded or written; a save compares against it. */
  snapshot: Uint8Array
  /** For merge mode: the values as loaded, to find the keys this request changed. */
  original: SessionValues | undefined
  version: string
  owner: string | undefined
  stale: boolean
  /** The cookie must be sent: the session was renewed, or its cookie options changed. */
  cookieDue: boolean
  /** When the request's cookie was signed (Unix seconds), to re-send it after `touchAfter`. */
  cookieSignedAt: number
  /** The session's maxAge when loaded; a change must reach the browser. */
  maxAge: number
  destroyed: boolean
}

const noTimestampCheck: DecodeOverrides = { maxAge: 0 }
/** How many verified cookies a store remembers (about 300 bytes each). */
const cookieCacheSize = 10_000

/** A verified session cookie: the id, when it was signed, and whether an older key signed it. */
interface OpenedCookie {
  readonly id: string
  readonly signedAt: number
  readonly oldKey: boolean
}
const fallbackLifetime = 86400 * 30

function positiveSeconds(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError('ERR_INVALID_OPTION', `${what} must be a positive number of seconds`)
  }
  return value
}

function asText(value: unknown): string {
  if (typeof value === 'string')
    return value.startsWith('\\x') ? Buffer.from(value.slice(2), 'hex').toString('latin1') : value
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1')
  throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'session data column is not bytes')
}

function toValues(value: unknown): SessionValues {
  if (value instanceof Map) {
    const out: SessionValues = Object.create(null)
    for (const [k, v] of value) {
      if (typeof k !== 'string') {
        throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'session values have a non-string key')
      }
      out[k] = v
    }
    return out
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof Uint8Array
  ) {
    throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'session values are not a key-value map')
  }
  if (Object.getPrototypeOf(value) === null) return value as SessionValues
  return Object.assign(Object.create(null) as SessionValues, value)
}

function isEmpty(values: SessionValues): boolean {
  for (const _ in values) return false
  return true
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
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
  /** Cookie options every new session copies. */
  readonly options: CookieOptions
  /** The driver: a `pg` Pool or any {@link SqlClient}. */
  readonly pool: SqlClient
  /** Typed events for logs and metrics; see `StoreEvents`. */
  readonly events: StoreEventEmitter = new StoreEventEmitter()
  /** The table this store uses. */
  readonly table: TableRef

  readonly #queries: Queries
  readonly #serializer: Serializer
  readonly #idle: number | undefined
  readonly #absolute: number | undefined
  readonly #touchAfter: number
  readonly #mode: ConcurrencyMode
  readonly #batchSize: number | undefined
  readonly #random: RandomBytes | undefined
  readonly #now: () => number
  readonly #states = new WeakMap<Session<SessionValues>, SessionState>()
  readonly #cookieCache = new Map<string, OpenedCookie>()
  readonly #cleanups = new Set<CleanupHandle>()
  readonly #onClose: (() => Promise<void>) | undefined
  #closed = false

  constructor(
    pool: SqlClient,
    keyPairs: ReadonlyArray<KeyMaterial | null | undefined>,
    options: PGStoreOptions = {},
    onClose?: () => Promise<void>,
  ) {
    super()
    if (!pool || typeof pool.query !== 'function') {
      throw new UsageError('ERR_INVALID_OPTION', 'pool must have a query() method (a pg Pool)')
    }
    this.pool = withPreparedStatements(pool, options.preparedStatements ?? 'auto', (sqlState) =>
      this.events.notify('preparedStatementsOff', { sqlState }),
    )
    this.table = tableRef(options.table, options.schema)
    this.#queries = buildQueries(this.table)
    this.options = resolveCookieOptions(options.cookie)
    this.#serializer = options.serializer ?? jsonSerializer
    this.#idle = positiveSeconds(options.idleTimeout, 'idleTimeout')
    this.#absolute = positiveSeconds(options.absoluteTimeout, 'absoluteTimeout')
    const touchDefault = Math.min(300, this.#idle === undefined ? 300 : this.#idle / 10)
    this.#touchAfter = options.touchAfter ?? touchDefault
    if (!Number.isFinite(this.#touchAfter) || this.#touchAfter < 0) {
      throw new UsageError('ERR_INVALID_OPTION', 'touchAfter must be zero or more seconds')
    }
    this.#mode = options.concurrency ?? 'last-write-wins'
    if (!['last-write-wins', 'optimistic', 'merge'].includes(this.#mode)) {
      throw new UsageError(
        'ERR_INVALID_OPTION',
        'concurrency must be last-write-wins, optimistic or merge',
      )
    }
    this.#batchSize = options.cleanupBatchSize
    if (
      this.#batchSize !== undefined &&
      (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1)
    ) {
      throw new UsageError('ERR_INVALID_OPTION', 'cleanupBatchSize must be a positive integer')
    }
    this.#random = options.randomBytes
    this.#now = options.now ?? Date.now
    const codecOptions = {
      now: this.#now,
      ...(options.randomBytes ? { randomBytes: options.randomBytes } : {}),
    }
    this.codecs = codecsFromPairs(...keyPairs, codecOptions)
    for (const codec of this.codecs) {
      codec
        .setSerializer(this.#serializer)
        .maxLength(options.maxLength ?? 4096)
        .maxAge(this.options.maxAge)
    }
    this.#onClose = onClose
  }

  // Lifecycle of one request ----------------------------------------------------------------

  /** Loads session `name` from a `Cookie` header. See `SessionCore.load`. */
  async load<V extends SessionValues = SessionValues>(
    cookieHeader: string | null | undefined,
    name: string,
    _context?: RequestContext,
  ): Promise<Session<V>> {
    assertCookieName(name)
    this.#assertOpen()
    const session = new Session<V>(this, name, this.options)
    const cookie = readCookie(cookieHeader, name)
    if (cookie === undefined) {
      this.events.notify('miss', { name, reason: 'no-cookie' })
      return session
    }
    let opened: OpenedCookie
    try {
      opened = this.#openCookie(name, cookie)
    } catch (error) {
      return this.#decodeFailed(session, error)
    }
    const { id, signedAt: cookieSignedAt, oldKey } = opened
    let row: LoadedRow | undefined
    try {
      const result = await this.pool.query<LoadedRow>({
        ...this.#queries.load,
        values: [id, this.#touchAfter, this.#absolute ?? null, this.#idle ?? null],
      })
      row = result.rows[0]
    } catch (error) {
      throw toStoreError(error, 'load session')
    }
    if (!row) {
      // Expired, revoked or unknown: a new session under a new id; the presented id is never adopted.
      this.events.notify('miss', { name, reason: 'no-row' })
      return session
    }
    let values: SessionValues
    let snapshot: Uint8Array
    try {
      snapshot = openMulti(name, asText(row.data), this.codecs, noTimestampCheck).bytes
      values = toValues(deserializeWith(this.#serializer, snapshot))
    } catch (error) {
      return this.#decodeFailed(session, error)
    }
    session.id = id
    session.values = values as Partial<V>
    session.isNew = false
    session.owner = row.owner ?? undefined
    this.#states.set(session as Session<SessionValues>, {
      snapshot,
      original: this.#mode === 'merge' ? structuredClone(values) : undefined,
      version: String(row.version),
      owner: session.owner,
      stale: row.stale,
      // A cookie signed with an older key pair is re-issued with the current one (rotation).
      cookieDue: oldKey,
      cookieSignedAt,
      maxAge: session.options.maxAge,
      destroyed: false,
    })
    this.events.notify('loaded', { name })
    return session
  }

  /** Persists what changed and returns the `Set-Cookie` to send. See `SessionCore.commit`. */
  async commit(
    session: Session<SessionValues>,
    context: RequestContext = {},
  ): Promise<string | undefined> {
    if (session.store !== this) {
      throw new UsageError('ERR_INVALID_SESSION', 'this session belongs to another store')
    }
    this.#assertOpen()
    validateCookieOptions(session.options, session.name)
    const state = this.#states.get(session)
    if (session.options.maxAge < 0) return this.#commitDeletion(session, state)

    const values = session.values as SessionValues
    if (session.isNew && session.owner === undefined && isEmpty(values)) {
      // Nothing to keep: reading never creates a row or a cookie (CVE-2015-5143 class).
      this.events.notify('writeSkipped', { name: session.name })
      return undefined
    }
    const bytes = serializeWith(this.#serializer, values)
    if (state && !session.isNew && session.owner === state.owner) {
      if (state.maxAge === session.options.maxAge && sameBytes(bytes, state.snapshot)) {
        return this.#commitUnchanged(session, state)
      }
    }
    const data = sealMulti(session.name, bytes, this.codecs)
    if (session.isNew || !state) {
      await this.#insert(session, data, bytes, context)
      return this.#cookieFor(session)
    }
    await this.#update(session, state, data, bytes)
    return this.#cookieIfDue(session, state)
  }

  // Operations beyond gorilla/sessions ----------------------------------------------------

  /**
   * Gives `session` a new id, keeping its values; the old row is deleted in the same statement, so
   * the old cookie then loads as a new, empty session. Call it at sign-in and privilege changes.
   * Throws `ConflictError` when the session was destroyed or renewed meanwhile.
   */
  async renew(session: Session<SessionValues>, context: RequestContext = {}): Promise<void> {
    this.#assertOpen()
    const state = this.#states.get(session)
    if (session.isNew || !state) {
      session.id = ''
      return
    }
    const values = session.values as SessionValues
    const bytes = serializeWith(this.#serializer, values)
    const data = sealMulti(session.name, bytes, this.codecs)
    const id = newSessionId(this.#random)
    const result = await this.#run('renew session', this.#queries.renew, [
      session.id,
      id,
      this.#lifetime(session),
      this.#absolute ?? null,
      session.owner ?? null,
      context.userAgent ?? null,
      data,
    ])
    if (result.rowCount === 0) throw new ConflictError('gone')
    session.id = id
    Object.assign(state, { snapshot: bytes, version: '1', owner: session.owner, cookieDue: true })
    if (state.original) state.original = structuredClone(values)
    this.events.notify('renewed', { name: session.name })
  }

  /** Deletes the session's row now; the next commit sends an expiring cookie. Idempotent. */
  async destroy(session: Session<SessionValues>): Promise<void> {
    this.#assertOpen()
    if (session.id) {
      const result = await this.#run('destroy session', this.#queries.destroy, [session.id])
      this.events.notify('destroyed', { name: session.name, count: result.rowCount ?? 0 })
    }
    const state = this.#states.get(session)
    if (state) state.destroyed = true
    session.options.maxAge = -1
  }

  /** The live sessions of `owner`, most recently active first. */
  async listSessions(owner: string, current?: Session<SessionValues>): Promise<OwnedSession[]> {
    this.#assertOpen()
    const result = await this.#run('list sessions', this.#queries.list, [
      owner,
      current?.id || null,
    ])
    return (result.rows as Record<string, unknown>[]).map((row) => ({
      handle: String(row.handle),
      current: row.current === true,
      createdOn: new Date(row.created_on as string),
      lastActive: new Date(row.modified_on as string),
      expiresOn: new Date(row.expires_on as string),
      userAgent: (row.user_agent as string | null) ?? null,
    }))
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
    const except = options.except
    const key = typeof except === 'object' ? except.id || null : null
    const handle = typeof except === 'string' ? except : null
    if (handle !== null && !/^[0-9]{1,19}$/.test(handle)) {
      throw new UsageError(
        'ERR_INVALID_OPTION',
        'except must be a session or a handle from listSessions',
      )
    }
    const result = await this.#run('revoke sessions', this.#queries.revoke, [owner, key, handle])
    this.events.notify('destroyed', { name: '', count: result.rowCount ?? 0 })
    return result.rowCount ?? 0
  }

  /** Deletes one session of `owner` by its `listSessions` handle. True if there was one. */
  async revokeSession(owner: string, handle: string): Promise<boolean> {
    this.#assertOpen()
    if (!/^[0-9]{1,19}$/.test(handle)) return false
    const result = await this.#run('revoke session', this.#queries.revokeOne, [owner, handle])
    this.events.notify('destroyed', { name: '', count: result.rowCount ?? 0 })
    return (result.rowCount ?? 0) > 0
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
    const report = await deleteExpiredRows(this.pool, this.#queries, this.table, {
      ...(this.#batchSize === undefined ? {} : { batchSize: this.#batchSize }),
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

  // Internals --------------------------------------------------------------------------------

  /**
   * Verifies a session cookie and reads its id. A browser sends the same cookie on every request,
   * and a verified string verifies again, so results are kept for the last
   * {@link cookieCacheSize} distinct cookies: a repeat costs a map lookup instead of an HMAC, a
   * decryption and a parse. Only cookies that verified are kept, so garbage cannot fill it.
   */
  #openCookie(name: string, cookie: string): OpenedCookie {
    const key = `${name}=${cookie}`
    const cached = this.#cookieCache.get(key)
    if (cached) return cached
    // The row's expiry in SQL is the authority; the cookie's own timestamp must not cut a
    // session short (Go pitfall: a per-session maxAge above the store's broke decoding).
    const opened = openMulti(name, cookie, this.codecs, noTimestampCheck)
    const id = deserializeWith(this.#serializer, opened.bytes)
    if (typeof id !== 'string' || !sessionIdPattern.test(id)) {
      throw new DecodeError('ERR_COOKIE_INVALID_ID', 'the cookie does not hold a session id')
    }
    return this.#remember(key, { id, signedAt: opened.timestamp, oldKey: opened.codec > 0 })
  }

  #remember(key: string, cookie: OpenedCookie): OpenedCookie {
    if (this.#cookieCache.size >= cookieCacheSize) {
      this.#cookieCache.delete(this.#cookieCache.keys().next().value as string)
    }
    this.#cookieCache.set(key, cookie)
    return cookie
  }

  #assertOpen(): void {
    if (this.#closed) throw new UsageError('ERR_STORE_CLOSED', 'the store is closed')
  }

  #decodeFailed<V extends SessionValues>(session: Session<V>, error: unknown): Session<V> {
    const typed = error instanceof DecodeError || (error as PgStoreError)?.kind === 'decode'
    if (!typed) throw error
    session.error = error as PgStoreError
    this.events.notify('decodeFailed', { name: session.name, code: session.error.code })
    return session
  }

  /** Seconds a write keeps the session alive: its maxAge (0 means the store's), capped by idle. */
  #lifetime(session: Session<SessionValues>): number {
    const own = session.options.maxAge > 0 ? session.options.maxAge : this.options.maxAge
    const life = own > 0 ? own : fallbackLifetime
    return this.#idle === undefined ? life : Math.min(life, this.#idle)
  }

  async #run(doing: string, query: { name: string; text: string }, values: unknown[]) {
    try {
      return await this.pool.query({ ...query, values })
    } catch (error) {
      throw toStoreError(error, doing)
    }
  }

  #cookieFor(session: Session<SessionValues>): string {
    const value = sealMulti(session.name, serializeWith(this.#serializer, session.id), this.codecs)
    const signedAt = Math.floor(this.#now() / 1000)
    // The browser sends this value back next: it needs no verification then.
    this.#remember(`${session.name}=${value}`, { id: session.id, signedAt, oldKey: false })
    const state = this.#states.get(session)
    if (state) {
      Object.assign(state, { cookieDue: false, maxAge: session.options.maxAge })
      state.cookieSignedAt = signedAt
    }
    return renderSetCookie(session.name, value, session.options, this.#now())
  }

  /**
   * After a write of a loaded session, the cookie goes out only when the browser needs it: after a
   * renew, a change of its options, or when the one it holds was signed more than `touchAfter`
   * ago (so its Max-Age keeps sliding with the row's expiry). Otherwise no encode, no header.
   */
  #cookieIfDue(session: Session<SessionValues>, state: SessionState): string | undefined {
    const age = Math.floor(this.#now() / 1000) - state.cookieSignedAt
    const due =
      state.cookieDue ||
      state.maxAge !== session.options.maxAge ||
      (session.options.maxAge !== 0 && age > this.#touchAfter)
    return due ? this.#cookieFor(session) : undefined
  }

  async #commitDeletion(
    session: Session<SessionValues>,
    state: SessionState | undefined,
  ): Promise<string> {
    if (session.id && !state?.destroyed) {
      const result = await this.#run('destroy session', this.#queries.destroy, [session.id])
      this.events.notify('destroyed', { name: session.name, count: result.rowCount ?? 0 })
    }
    this.#states.delete(session)
    // A later save in this request starts a brand-new session instead of reviving this id.
    session.id = ''
    session.isNew = true
    return renderSetCookie(session.name, '', session.options, this.#now())
  }

  async #commitUnchanged(
    session: Session<SessionValues>,
    state: SessionState,
  ): Promise<string | undefined> {
    if (!state.stale) {
      this.events.notify('writeSkipped', { name: session.name })
      return state.cookieDue ? this.#cookieFor(session) : undefined
    }
    const result = await this.#run('touch session', this.#queries.touch, [
      session.id,
      this.#lifetime(session),
      this.#absolute ?? null,
    ])
    state.stale = false
    if (result.rowCount === 0) return undefined
    this.events.notify('touched', { name: session.name })
    return session.options.maxAge !== 0 || state.cookieDue ? this.#cookieFor(session) : undefined
  }

  async #insert(
    session: Session<SessionValues>,
    data: string,
    bytes: Uint8Array,
    context: RequestContext,
  ) {
    if (!session.id) session.id = newSessionId(this.#random)
    const result = await this.#run('insert session', this.#queries.insert, [
      session.id,
      data,
      this.#lifetime(session),
      this.#absolute ?? null,
      session.owner ?? null,
      context.userAgent ?? null,
    ])
    if (result.rowCount === 0) throw new ConflictError('gone')
    session.isNew = false
    this.#states.set(session, {
      snapshot: bytes,
      original:
        this.#mode === 'merge' ? structuredClone(session.values as SessionValues) : undefined,
      version: '1',
      owner: session.owner,
      stale: false,
      cookieDue: false,
      cookieSignedAt: 0,
      maxAge: session.options.maxAge,
      destroyed: false,
    })
    this.events.notify('created', { name: session.name })
  }

  async #update(
    session: Session<SessionValues>,
    state: SessionState,
    data: string,
    bytes: Uint8Array,
  ) {
    const values = session.values as SessionValues
    const base = [
      session.id,
      data,
      this.#lifetime(session),
      this.#absolute ?? null,
      session.owner ?? null,
      this.#touchAfter,
    ]
    let version: string | undefined
    if (this.#mode === 'merge' && state.original) {
      const merged = await this.#merge(session, state.original, base)
      Object.assign(state, { snapshot: merged.bytes, original: structuredClone(merged.values) })
      session.values = merged.values as never
      version = merged.version
    } else {
      const query =
        this.#mode === 'optimistic' ? this.#queries.updateVersioned : this.#queries.update
      const params = this.#mode === 'optimistic' ? [...base, state.version] : base
      const result = await this.#run('update session', query, params)
      version = (result.rows[0] as { version?: unknown } | undefined)?.version?.toString()
      if (version === undefined) {
        if (this.#mode !== 'optimistic') throw new ConflictError('gone')
        const exists = await this.#run('check session', this.#queries.exists, [session.id])
        throw new ConflictError(exists.rowCount ? 'version' : 'gone')
      }
      state.snapshot = bytes
      if (state.original) state.original = structuredClone(values)
    }
    Object.assign(state, { version, owner: session.owner, stale: false })
    this.events.notify('saved', { name: session.name })
  }

  /** Merge mode: apply this request's changed keys onto the row as it is now, under a row lock. */
  async #merge(session: Session<SessionValues>, original: SessionValues, base: unknown[]) {
    const current = session.values as SessionValues
    const changed = Object.keys(current).filter((k) => !isDeepStrictEqual(current[k], original[k]))
    const removed = Object.keys(original).filter((k) => !(k in current))
    try {
      return await transaction(this.pool, async (tx: SqlConnection) => {
        const locked = await tx.query<{ data: unknown; version: unknown }>({
          ...this.#queries.lockForMerge,
          values: [session.id],
        })
        const row = locked.rows[0]
        if (!row) throw new ConflictError('gone')
        const opened = openMulti(session.name, asText(row.data), this.codecs, noTimestampCheck)
        const values = toValues(deserializeWith(this.#serializer, opened.bytes))
        for (const key of changed) values[key] = current[key]
        for (const key of removed) delete values[key]
        const bytes = serializeWith(this.#serializer, values)
        const data = sealMulti(session.name, bytes, this.codecs)
        const result = await tx.query<{ version: unknown }>({
          ...this.#queries.update,
          values: [base[0], data, ...base.slice(2)],
        })
        return {
          values,
          bytes,
          version: String(result.rows[0]?.version),
        }
      })
    } catch (error) {
      throw toStoreError(error, 'merge session')
    }
  }
}
