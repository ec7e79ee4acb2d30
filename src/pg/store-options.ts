/**
 * @module PGStore's options: what a user may set, and the checked, defaulted form every part of
 * the store reads.
 */
import type { KeyMaterial, Serializer } from '../codec/index.ts'
import { jsonSerializer } from '../codec/index.ts'
import { UsageError } from '../errors.ts'
import type { RandomBytes } from '../session/id.ts'
import { type CookieOptions, resolveCookieOptions } from '../session/options.ts'
import type { PreparedStatements } from './driver.ts'
import { type RowKey, rowKeyFor } from './hashed-ids.ts'

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
  /**
   * Seconds after which the seal of a row's `data` (its securecookie timestamp) is renewed by the
   * next touch of the unchanged session (see `touchAfter`), in the touch's one UPDATE. A Go pgstore reading the
   * row checks that timestamp against its MaxAge, so a session kept alive by our touches alone
   * would otherwise turn unreadable to Go once the seal is older than that. Default: half of
   * `cookie.maxAge` (of Go's 30 days when it is 0).
   */
  resealAfter?: number | undefined
  /** See {@link ConcurrencyMode}. Default `'last-write-wins'`. */
  concurrency?: ConcurrencyMode | undefined
  /**
   * A save that binds the session to an owner (none to a user, or one user to another) gives it a
   * new id in the same statement that deletes the old row, as `renew` does, so a cookie planted
   * before sign-in never loads as the signed-in user. Default `true`; `false` keeps the id (then
   * call `renew` at sign-in yourself).
   */
  rotateOnOwnerChange?: boolean | undefined
  /**
   * Hashed ids at rest: the `key` column holds SHA-256 of the session id (`true`) or HMAC-SHA256
   * under the given key, so a dump of the table gives no usable cookie. Rows written with plain ids
   * are converted when next read (or by `pgstore hash-ids`). Go pgstore cannot share the table in
   * this mode: it looks rows up by the plain id. Default `false`.
   */
  hashIds?: boolean | KeyMaterial | undefined
  /** Rows per cleanup batch. Default: adaptive (see `DeleteExpiredOptions.batchSize`). */
  cleanupBatchSize?: number | undefined
  /** Random source for session ids and IVs. Default `crypto.randomBytes`. */
  randomBytes?: RandomBytes | undefined
  /** Clock for cookie timestamps, in milliseconds. Default `Date.now`. Expiry uses the DB clock. */
  now?: (() => number) | undefined
  /** Named (prepared) statements or not; see `PreparedStatements`. Default `'auto'`. */
  preparedStatements?: PreparedStatements | undefined
}

/** {@link PGStoreOptions} checked once, with every default applied. */
export interface ResolvedStoreOptions {
  readonly cookie: CookieOptions
  readonly serializer: Serializer
  readonly maxLength: number
  readonly idle: number | undefined
  readonly absolute: number | undefined
  readonly touchAfter: number
  readonly resealAfter: number
  readonly mode: ConcurrencyMode
  readonly batchSize: number | undefined
  readonly rotateOnOwnerChange: boolean
  /** The `key` column for a session id (the id itself unless `hashIds`). */
  readonly rowKey: RowKey
  readonly hashIds: boolean
  readonly random: RandomBytes | undefined
  readonly now: () => number
}

const modes: readonly ConcurrencyMode[] = ['last-write-wins', 'optimistic', 'merge']

/** Checks `options` and applies the defaults; throws `UsageError` (`ERR_INVALID_OPTION`). */
export function resolveStoreOptions(options: PGStoreOptions): ResolvedStoreOptions {
  const idle = positiveSeconds(options.idleTimeout, 'idleTimeout')
  const absolute = positiveSeconds(options.absoluteTimeout, 'absoluteTimeout')
  const touchAfter = options.touchAfter ?? Math.min(300, idle === undefined ? 300 : idle / 10)
  if (!Number.isFinite(touchAfter) || touchAfter < 0) {
    throw new UsageError('ERR_INVALID_OPTION', 'touchAfter must be zero or more seconds')
  }
  const mode = options.concurrency ?? 'last-write-wins'
  if (!modes.includes(mode)) {
    throw new UsageError(
      'ERR_INVALID_OPTION',
      'concurrency must be last-write-wins, optimistic or merge',
    )
  }
  const cookie = resolveCookieOptions(options.cookie)
  const resealAfter = options.resealAfter ?? (cookie.maxAge > 0 ? cookie.maxAge : 86400 * 30) / 2
  if (!Number.isFinite(resealAfter) || resealAfter < 0) {
    throw new UsageError('ERR_INVALID_OPTION', 'resealAfter must be zero or more seconds')
  }
  const batchSize = options.cleanupBatchSize
  if (batchSize !== undefined && (!Number.isSafeInteger(batchSize) || batchSize < 1)) {
    throw new UsageError('ERR_INVALID_OPTION', 'cleanupBatchSize must be a positive integer')
  }
  return {
    cookie,
    serializer: options.serializer ?? jsonSerializer,
    maxLength: options.maxLength ?? 4096,
    idle,
    absolute,
    touchAfter,
    resealAfter,
    mode,
    batchSize,
    rotateOnOwnerChange: options.rotateOnOwnerChange ?? true,
    rowKey: rowKeyFor(options.hashIds),
    hashIds: options.hashIds !== undefined && options.hashIds !== false,
    random: options.randomBytes,
    now: options.now ?? Date.now,
  }
}

function positiveSeconds(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError('ERR_INVALID_OPTION', `${what} must be a positive number of seconds`)
  }
  return value
}
