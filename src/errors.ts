/**
 * @module Every error pgstore throws or reports: one base class, a stable `code`, and a `kind` that
 * says who must act.
 *
 * - `usage`: the calling code is wrong (bad key, bad option, bad cookie name). Fix the code.
 * - `decode`: untrusted input (a cookie or a row) failed to decode. Expected; treat as "no session".
 * - `store`: the database or the pool failed. Infrastructure; retry, alert, or fail the request.
 * - `internal`: a bug or a broken runtime (the random source failed). Report it.
 *
 * Messages never carry a cookie value, a key, a session id or session data.
 */

/** Who must act on an error. */
export type ErrorKind = 'usage' | 'decode' | 'store' | 'internal'

/** Every stable error code, for `switch (err.code)`. */
export type ErrorCode =
  // usage
  | 'ERR_HASH_KEY_NOT_SET'
  | 'ERR_BLOCK_KEY_INVALID'
  | 'ERR_NO_CODECS'
  | 'ERR_VALUE_TOO_LONG'
  | 'ERR_SERIALIZE'
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_COOKIE_NAME'
  | 'ERR_INVALID_IDENTIFIER'
  | 'ERR_INVALID_SESSION'
  // decode
  | 'ERR_COOKIE_TOO_LONG'
  | 'ERR_COOKIE_BASE64'
  | 'ERR_COOKIE_MAC_INVALID'
  | 'ERR_COOKIE_TIMESTAMP'
  | 'ERR_COOKIE_TOO_NEW'
  | 'ERR_COOKIE_EXPIRED'
  | 'ERR_COOKIE_DECRYPT'
  | 'ERR_COOKIE_DESERIALIZE'
  | 'ERR_COOKIE_INVALID_ID'
  // store
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_STORE_TIMEOUT'
  | 'ERR_STORE_POOL_TIMEOUT'
  | 'ERR_STORE_READ_ONLY'
  | 'ERR_STORE_TABLE_MISSING'
  | 'ERR_STORE_QUERY'
  | 'ERR_STORE_CONFLICT'
  | 'ERR_STORE_CLOSED'
  // internal
  | 'ERR_RANDOM_FAILED'
  | 'ERR_INTERNAL'

const kindOf: Record<ErrorCode, ErrorKind> = {
  ERR_HASH_KEY_NOT_SET: 'usage',
  ERR_BLOCK_KEY_INVALID: 'usage',
  ERR_NO_CODECS: 'usage',
  ERR_VALUE_TOO_LONG: 'usage',
  ERR_SERIALIZE: 'usage',
  ERR_INVALID_OPTION: 'usage',
  ERR_INVALID_COOKIE_NAME: 'usage',
  ERR_INVALID_IDENTIFIER: 'usage',
  ERR_INVALID_SESSION: 'usage',
  ERR_COOKIE_TOO_LONG: 'decode',
  ERR_COOKIE_BASE64: 'decode',
  ERR_COOKIE_MAC_INVALID: 'decode',
  ERR_COOKIE_TIMESTAMP: 'decode',
  ERR_COOKIE_TOO_NEW: 'decode',
  ERR_COOKIE_EXPIRED: 'decode',
  ERR_COOKIE_DECRYPT: 'decode',
  ERR_COOKIE_DESERIALIZE: 'decode',
  ERR_COOKIE_INVALID_ID: 'decode',
  ERR_STORE_UNAVAILABLE: 'store',
  ERR_STORE_TIMEOUT: 'store',
  ERR_STORE_POOL_TIMEOUT: 'store',
  ERR_STORE_READ_ONLY: 'store',
  ERR_STORE_TABLE_MISSING: 'store',
  ERR_STORE_QUERY: 'store',
  ERR_STORE_CONFLICT: 'store',
  ERR_STORE_CLOSED: 'usage',
  ERR_RANDOM_FAILED: 'internal',
  ERR_INTERNAL: 'internal',
}

/**
 * The base class of every pgstore error.
 *
 * @example
 * ```ts
 * try { await store.save(req, res, session) } catch (err) {
 *   if (err instanceof PgStoreError && err.kind === 'store') retryLater()
 * }
 * ```
 */
export class PgStoreError extends Error {
  /** A stable code, never reworded. */
  readonly code: ErrorCode
  /** Who must act: the calling code, nobody (bad input), the operator, or us. */
  readonly kind: ErrorKind

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.kind = kindOf[code]
    // A cause may be a driver error whose fields hold parameters: keep it for debugging, out of logs.
    if ('cause' in this) Object.defineProperty(this, 'cause', { enumerable: false })
  }
}

/** The calling code uses pgstore wrongly: thrown synchronously, at construction where possible. */
export class UsageError extends PgStoreError {}

/** An untrusted cookie or row failed to decode: expected; the session starts anew. */
export class DecodeError extends PgStoreError {}

/**
 * The database failed. `sqlState` is PostgreSQL's SQLSTATE (`57P01`, `57014`, ...) when the server
 * sent one; the driver's error is the non-enumerable `cause`.
 */
export class StoreError extends PgStoreError {
  /** The server's SQLSTATE, when there is one. */
  readonly sqlState: string | undefined

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; sqlState?: string }) {
    super(code, message, options)
    this.sqlState = options?.sqlState
  }
}

/**
 * A save lost a race: the session was destroyed or renewed by another request, or (with optimistic
 * versioning) changed since it was loaded. Nothing was written.
 */
export class ConflictError extends StoreError {
  /** `gone`: the row no longer exists; `version`: the row changed since this request loaded it. */
  readonly reason: 'gone' | 'version'

  constructor(reason: 'gone' | 'version') {
    super(
      'ERR_STORE_CONFLICT',
      reason === 'gone'
        ? 'session was destroyed or renewed by another request; nothing was saved'
        : 'session was changed by another request since it was loaded; nothing was saved',
    )
    this.reason = reason
  }
}

/** Something that should not happen did: a failed random source, a broken invariant. */
export class InternalError extends PgStoreError {}

/**
 * Every codec failed (key rotation tries each codec in turn). `errors` keeps each codec's cause in
 * order; `code`, `kind` and the message are the first one's, as Go's `MultiError` reports.
 */
export class MultiError extends PgStoreError {
  /** One error per codec, in the order the codecs were tried. */
  readonly errors: readonly PgStoreError[]

  constructor(errors: readonly PgStoreError[]) {
    const first = errors[0]
    const more = errors.length - 1
    const suffix =
      more === 1 ? ' (and 1 other error)' : more > 1 ? ` (and ${more} other errors)` : ''
    super(first?.code ?? 'ERR_NO_CODECS', `${first?.message ?? '(0 errors)'}${suffix}`)
    this.errors = errors
    Object.defineProperty(this, 'kind', { value: first?.kind ?? 'usage' })
  }
}

/** True when `err` is a pgstore error of the given kind (works across duplicated package copies). */
export function isErrorKind(err: unknown, kind: ErrorKind): err is PgStoreError {
  return err instanceof PgStoreError && err.kind === kind
}
