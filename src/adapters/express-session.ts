/**
 * @module An express-session `Store` on pgstore's table, so an app on express-session +
 * connect-pg-simple (or on `@fastify/session`, which takes the same stores) switches with one line.
 *
 * Rows live in the `PGStore`'s table: the key is express-session's sid, the data is the session
 * JSON encoded (signed, and encrypted with a block key) by the store's first codec under a fixed
 * name, the expiry comes from `sess.cookie` and is enforced in SQL (`expires_on > now()`).
 * A session ended by `destroy` (or regenerate, or `clear`) is never written again: sessions with a
 * row are saved by UPDATE only, and ended ids are recorded (hashed) until they would have expired.
 * express-session signs the sid in its own cookie with its own secret; pgstore's keys protect the
 * data at rest.
 */
import type { EventEmitter } from 'node:events'
import { decodeMulti, encodeMulti } from '../codec/index.ts'
import { isErrorKind, UsageError } from '../errors.ts'
import { toStoreError } from '../pg/errors.ts'
import { endedTable, type TableRef } from '../pg/identifiers.ts'
import type { PGStore } from '../pg/pg-store.ts'

/** A Node callback, as express-session calls stores. */
export type StoreCallback<T = void> = (error: unknown, result?: T) => void

/**
 * A session as express-session or `@fastify/session` hands it to `set`: its `cookie` gives the
 * expiry; everything is stored as `JSON.stringify` makes it.
 */
export interface StorableSession {
  cookie?: {
    expires?: Date | string | null | undefined
    maxAge?: number | null | undefined
    originalMaxAge?: number | null | undefined
  }
}

/** A session as `get` returns it: the parsed JSON, `cookie.expires` an ISO string. */
export interface ExpressSessionData extends StorableSession {
  [key: string]: unknown
}

/** The part of the express-session module the factory needs: its `Store` base class. */
export interface ExpressSessionModule<
  S extends abstract new () => object = abstract new () => object,
> {
  Store: S
}

/** Options of an {@link ExpressSessionStore}. */
export interface ExpressSessionStoreOptions {
  /**
   * The PGStore whose pool, table and key pairs hold the sessions. Required; it stays yours (close
   * it yourself). Its `maxLength` does not apply: see {@link ExpressSessionStoreOptions.maxLength}.
   */
  store: PGStore
  /** The name the session JSON is encoded under (part of the MAC). Default `'connect.sid'`. */
  name?: string | undefined
  /** Lifetime in seconds when `sess.cookie` has no expiry. Default `86400` (connect-pg-simple's). */
  ttl?: number | undefined
  /**
   * `touch` writes only when the row was written more than this many seconds ago (express-session
   * touches on every request). Default `0`: every touch writes, as connect-pg-simple.
   */
  touchAfter?: number | undefined
  /**
   * Longest encoded session in bytes: a larger one fails its save with `ERR_VALUE_TOO_LONG`
   * (express-session passes it to `next`, so the request fails visibly). Default `0`: no limit,
   * as MemoryStore and connect-pg-simple; the store's own `maxLength` does not apply here.
   */
  maxLength?: number | undefined
}

/**
 * The store: `get`, `set`, `destroy`, `touch`, `all`, `length`, `clear`. Each takes an optional
 * Node callback (express-session's contract); without one it returns a promise. `all`, `length`
 * and `clear` decode every live row of the table, so they cost O(rows): admin use only.
 */
export interface ExpressSessionStore extends EventEmitter {
  get(sid: string): Promise<ExpressSessionData | null>
  get(sid: string, callback: StoreCallback<ExpressSessionData | null>): void
  set(sid: string, session: StorableSession): Promise<void>
  set(sid: string, session: StorableSession, callback: StoreCallback): void
  destroy(sid: string): Promise<void>
  destroy(sid: string, callback: StoreCallback): void
  touch(sid: string, session: StorableSession): Promise<void>
  touch(sid: string, session: StorableSession, callback: StoreCallback): void
  /** Every live session, by sid (express-session's MemoryStore shape). */
  all(): Promise<Record<string, ExpressSessionData>>
  all(callback: StoreCallback<Record<string, ExpressSessionData>>): void
  length(): Promise<number>
  length(callback: StoreCallback<number>): void
  /** Deletes every session of this store (rows of other stores in the table stay). */
  clear(): Promise<void>
  clear(callback: StoreCallback): void
}

/**
 * The class {@link expressSessionStore} returns. Its instances are also instances of the module's
 * `Store` (`B`), so with `@types/express-session` they type-check as express-session stores.
 */
export type ExpressSessionStoreClass<B extends object = object> = new (
  options: ExpressSessionStoreOptions,
) => B & ExpressSessionStore

const expiry = (param: string, seconds: string) =>
  `COALESCE(${param}::timestamptz, now() + (${seconds}::float8 * interval '1 second'))`

function sqlFor(ref: TableRef) {
  const table = ref.qualified
  const ended = endedTable(ref)
  // An id ended by destroy or clear stays ended until its session would have expired.
  const endIds = (rows: string) => `INSERT INTO ${ended} (table_name, key_hash, expires_on)
      SELECT $2, sha256(key), GREATEST(expires_on, now()) FROM ${rows}
      ON CONFLICT (table_name, key_hash)
      DO UPDATE SET expires_on = GREATEST(${ended}.expires_on, EXCLUDED.expires_on)`
  return {
    get: `SELECT data, expires_on FROM ${table} WHERE key = $1 AND expires_on > now()`,
    // A session that has a row (loaded, or saved once already) is only ever updated: if the row
    // went (destroy, regenerate) meanwhile, the save changes nothing.
    update: `UPDATE ${table} SET data = $2, modified_on = now(),
      expires_on = ${expiry('$3', '$4')}, version = version + 1 WHERE key = $1`,
    // Any other session: created, unless its id was ended.
    create: `INSERT INTO ${table} AS s (key, data, created_on, modified_on, expires_on, version)
      SELECT $1, $2, now(), now(), ${expiry('$3', '$4')}, 1
      WHERE NOT EXISTS (SELECT 1 FROM ${ended}
        WHERE table_name = $5 AND key_hash = sha256($1) AND expires_on > now())
      ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, modified_on = now(),
      expires_on = EXCLUDED.expires_on, version = s.version + 1`,
    destroy: `WITH gone AS (DELETE FROM ${table} WHERE key = $1 RETURNING key, expires_on)
      ${endIds('gone')}`,
    // Extends only, and at most once per touchAfter.
    touch: `UPDATE ${table} SET modified_on = now(),
      expires_on = GREATEST(expires_on, ${expiry('$2', '$3')})
      WHERE key = $1 AND expires_on > now()
      AND modified_on <= now() - ($4::float8 * interval '1 second')`,
    all: `SELECT key, data, expires_on FROM ${table} WHERE expires_on > now()`,
    clear: `WITH gone AS (DELETE FROM ${table} WHERE key = ANY($1::bytea[]) RETURNING key, expires_on)
      ${endIds('gone')}`,
  }
}

function text(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1')
  const s = String(value)
  return s.startsWith('\\x') ? Buffer.from(s.slice(2), 'hex').toString('latin1') : s
}

function settle<T>(
  work: Promise<T>,
  callback: StoreCallback<T> | undefined,
): Promise<T> | undefined {
  if (!callback) return work
  // Outside the promise chain: a throwing callback must not become an unhandled rejection.
  work.then(
    (result) => process.nextTick(callback, null, result),
    (error) => process.nextTick(callback, error),
  )
  return undefined
}

/**
 * Builds the store class from the express-session module, as connect-pg-simple does. The same
 * class works with `@fastify/session`.
 *
 * @example
 * ```ts
 * import session from 'express-session'
 * const PgSessionStore = expressSessionStore(session)
 * app.use(session({ secret, store: new PgSessionStore({ store: pgStore }), resave: false,
 *   saveUninitialized: false }))
 * ```
 */
export function expressSessionStore<S extends abstract new () => object>(
  session: ExpressSessionModule<S>,
): ExpressSessionStoreClass<InstanceType<S>> {
  const Base = session?.Store as unknown as new () => EventEmitter
  if (typeof Base !== 'function') {
    throw new UsageError('ERR_INVALID_OPTION', 'pass the express-session module (it has Store)')
  }

  class PGSessionStore extends Base {
    readonly #store: PGStore
    readonly #name: string
    readonly #ttl: number
    readonly #touchAfter: number
    readonly #maxLength: number
    readonly #sql: ReturnType<typeof sqlFor>
    /**
     * Sessions known to have a row: loaded through express-session (`createSession`) or saved once
     * by this store. Their saves are updates only, so none brings back an id ended meanwhile.
     */
    readonly #existing = new WeakSet<object>()

    constructor(options: ExpressSessionStoreOptions) {
      super()
      const store = options?.store
      if (!store || typeof store.pool?.query !== 'function' || !Array.isArray(store.codecs)) {
        throw new UsageError('ERR_INVALID_OPTION', 'options.store must be a PGStore')
      }
      this.#store = store
      this.#name = options.name ?? 'connect.sid'
      this.#ttl = options.ttl ?? 86400
      this.#touchAfter = options.touchAfter ?? 0
      this.#maxLength = options.maxLength ?? 0
      if (typeof this.#name !== 'string' || this.#name === '') {
        throw new UsageError('ERR_INVALID_OPTION', 'name must be a non-empty string')
      }
      if (!(this.#ttl > 0) || !(this.#touchAfter >= 0)) {
        throw new UsageError('ERR_INVALID_OPTION', 'ttl must be > 0 and touchAfter >= 0 seconds')
      }
      if (!Number.isSafeInteger(this.#maxLength) || this.#maxLength < 0) {
        throw new UsageError('ERR_INVALID_OPTION', 'maxLength must be an integer >= 0')
      }
      this.#sql = sqlFor(store.table)
    }

    /**
     * express-session builds every session it loaded from this store here (on each request and on
     * `reload`); the session is remembered as one that has a row.
     */
    createSession(req: unknown, sess: unknown): unknown {
      const parent = (Base.prototype as { createSession?: (r: unknown, s: unknown) => unknown })
        .createSession
      if (typeof parent !== 'function') {
        throw new UsageError('ERR_INVALID_OPTION', 'the Store base class has no createSession')
      }
      const made = parent.call(this, req, sess)
      if (typeof made === 'object' && made !== null) this.#existing.add(made)
      return made
    }

    get(sid: string): Promise<ExpressSessionData | null>
    get(sid: string, callback: StoreCallback<ExpressSessionData | null>): void
    get(sid: string, callback?: StoreCallback<ExpressSessionData | null>) {
      return settle(this.#get(sid), callback)
    }

    set(sid: string, sess: StorableSession): Promise<void>
    set(sid: string, sess: StorableSession, callback: StoreCallback): void
    set(sid: string, sess: StorableSession, callback?: StoreCallback) {
      const work = async () => {
        const data = encodeMulti(this.#name, JSON.stringify(sess), this.#store.unboundedCodecs)
        if (this.#maxLength !== 0 && data.length > this.#maxLength) {
          throw new UsageError('ERR_VALUE_TOO_LONG', 'the session is longer than maxLength')
        }
        const values = [this.#key(sid), Buffer.from(data, 'latin1'), ...this.#expiry(sess)]
        const known = typeof sess === 'object' && sess !== null && this.#existing.has(sess)
        if (known) {
          await this.#query('save session', this.#sql.update, values)
          return
        }
        const made = await this.#query('save session', this.#sql.create, [
          ...values,
          this.#store.table.table,
        ])
        if (made.rowCount && typeof sess === 'object' && sess !== null) this.#existing.add(sess)
      }
      return settle(work(), callback)
    }

    destroy(sid: string): Promise<void>
    destroy(sid: string, callback: StoreCallback): void
    destroy(sid: string, callback?: StoreCallback) {
      const work = async () => {
        await this.#query('destroy session', this.#sql.destroy, [
          this.#key(sid),
          this.#store.table.table,
        ])
      }
      return settle(work(), callback)
    }

    touch(sid: string, sess: StorableSession): Promise<void>
    touch(sid: string, sess: StorableSession, callback: StoreCallback): void
    touch(sid: string, sess: StorableSession, callback?: StoreCallback) {
      const work = async () => {
        const [at, seconds] = this.#expiry(sess)
        await this.#query('touch session', this.#sql.touch, [
          this.#key(sid),
          at,
          seconds,
          this.#touchAfter,
        ])
      }
      return settle(work(), callback)
    }

    all(): Promise<Record<string, ExpressSessionData>>
    all(callback: StoreCallback<Record<string, ExpressSessionData>>): void
    all(callback?: StoreCallback<Record<string, ExpressSessionData>>) {
      const work = async () => {
        const all: Record<string, ExpressSessionData> = Object.create(null)
        for (const [sid, sess] of await this.#mine()) all[sid] = sess
        return all
      }
      return settle(work(), callback)
    }

    length(): Promise<number>
    length(callback: StoreCallback<number>): void
    length(callback?: StoreCallback<number>) {
      return settle(
        this.#mine().then((rows) => rows.length),
        callback,
      )
    }

    clear(): Promise<void>
    clear(callback: StoreCallback): void
    clear(callback?: StoreCallback) {
      const work = async () => {
        const keys = (await this.#mine()).map(([sid]) => this.#key(sid))
        if (keys.length > 0) {
          await this.#query('clear sessions', this.#sql.clear, [keys, this.#store.table.table])
        }
      }
      return settle(work(), callback)
    }

    #key(sid: string): Buffer {
      if (typeof sid !== 'string' || sid === '') {
        throw new UsageError('ERR_INVALID_SESSION', 'a session id must be a non-empty string')
      }
      return Buffer.from(sid, 'utf8')
    }

    /** `[expires_on, seconds]`: the cookie's expiry when it has one, else its max age or ttl. */
    #expiry(sess: StorableSession): [Date | null, number] {
      const cookie = sess?.cookie
      const expires = cookie?.expires ? new Date(cookie.expires) : undefined
      if (expires && Number.isFinite(expires.getTime())) return [expires, 0]
      const maxAge = cookie?.maxAge ?? cookie?.originalMaxAge
      return [null, typeof maxAge === 'number' && maxAge > 0 ? maxAge / 1000 : this.#ttl]
    }

    /** The session under `data`, or `undefined` when it is not this store's (or its keys'). */
    #decode(data: unknown, expires: unknown): ExpressSessionData | undefined {
      try {
        const json = decodeMulti<string>(this.#name, text(data), this.#store.unboundedCodecs, {
          maxAge: 0,
        })
        if (typeof json !== 'string') return undefined
        const sess = JSON.parse(json) as ExpressSessionData
        // The row's expiry is the truth: touch moves it without rewriting the data, so a cookie
        // with an expiry reports the row's (a session cookie, with none, stays one).
        const at = expires instanceof Date ? expires : new Date(String(expires))
        if (sess?.cookie?.expires && Number.isFinite(at.getTime())) {
          sess.cookie.expires = at.toISOString()
        }
        return sess
      } catch (error) {
        // A row of another store or name, or under a retired key: not a session of this store.
        if (isErrorKind(error, 'decode') || error instanceof SyntaxError) return undefined
        throw error
      }
    }

    async #get(sid: string): Promise<ExpressSessionData | null> {
      const result = await this.#query('load session', this.#sql.get, [this.#key(sid)])
      const row = result.rows[0] as { data: unknown; expires_on: unknown } | undefined
      return (row && this.#decode(row.data, row.expires_on)) ?? null
    }

    async #mine(): Promise<Array<[string, ExpressSessionData]>> {
      const result = await this.#query('list sessions', this.#sql.all, [])
      const rows = result.rows as Array<{ key: unknown; data: unknown; expires_on: unknown }>
      return rows.flatMap((row) => {
        const sess = this.#decode(row.data, row.expires_on)
        return sess ? [[Buffer.from(text(row.key), 'latin1').toString('utf8'), sess]] : []
      }) as Array<[string, ExpressSessionData]>
    }

    async #query(doing: string, sql: string, values: unknown[]) {
      try {
        return await this.#store.pool.query({ text: sql, values })
      } catch (error) {
        throw toStoreError(error, doing)
      }
    }
  }

  return PGSessionStore as unknown as ExpressSessionStoreClass<InstanceType<S>>
}
