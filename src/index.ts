/**
 * @module pgstore: PostgreSQL-backed HTTP sessions, wire-compatible with Go's
 * antonlindstrom/pgstore and gorilla/securecookie. This list is the public API.
 */

// Gob (Go's encoding/gob, for rows and cookies shared with Go pgstore)
export {
  type GobKey,
  type GobMap,
  type GobObject,
  type GobValue,
  type GoFloatType,
  type GoIntType,
  GoNumber,
  type GoNumberType,
  type GoUintType,
  gobSerializer,
  goFloat32,
  goFloat64,
  goInt,
  goInt8,
  goInt16,
  goInt32,
  goInt64,
  goUint,
  goUint8,
  goUint16,
  goUint32,
  goUint64,
  goUintptr,
} from './codec/gob/index.ts'

// Codec (gorilla/securecookie)
export {
  bytesSerializer,
  type Codec,
  type CodecOptions,
  codecsFromPairs,
  type DecodeOverrides,
  decodeMulti,
  encodeMulti,
  generateRandomKey,
  jsonSerializer,
  type KeyMaterial,
  SecureCookie,
  type Serializer,
} from './codec/index.ts'

// Errors
export {
  ConflictError,
  DecodeError,
  type ErrorCode,
  type ErrorKind,
  InternalError,
  isErrorKind,
  MultiError,
  PgStoreError,
  StoreError,
  UsageError,
} from './errors.ts'
export type { CleanupHandle, CleanupReport, DeleteExpiredOptions } from './pg/cleanup.ts'
export type {
  PreparedStatements,
  QueryConfig,
  QueryResultLike,
  SqlClient,
  SqlConnection,
} from './pg/driver.ts'
export { type MigrateOptions, type Migration, type MigrationResult, migrate } from './pg/migrate.ts'
// Fresh clone, packaging and types (issue 12)
export type { NewPGStoreOptions } from './pg/new-pg-store.ts'
export {
  type KeyPairsAndOptions,
  newPGStore,
  newPGStoreFromPool,
  type PoolOptions,
} from './pg/new-pg-store.ts'
// PostgreSQL
export type { OwnedSession } from './pg/owners.ts'
export { type PGSession, PGStore } from './pg/pg-store.ts'
export { type PostgresJsLike, postgresJsClient } from './pg/postgres-js.ts'
export { type OwnerCount, type SessionStats, sessionStats } from './pg/stats.ts'
export type { ConcurrencyMode, PGStoreOptions } from './pg/store-options.ts'
export { readCookie, renderSetCookie } from './session/cookie-header.ts'
export { newSessionId, type RandomBytes } from './session/id.ts'
export {
  type CookieOptions,
  defaultCookieOptions,
  isCookieNameValid,
  type SameSite,
} from './session/options.ts'
export { getRegistry, Registry, type SessionSource, saveAll } from './session/registry.ts'
// Sessions (gorilla/sessions)
export { Session, type SessionValues } from './session/session.ts'
export { CookieStore, type CookieStoreOptions } from './store/cookie-store.ts'
export { StoreEventEmitter, type StoreEvents } from './store/events.ts'
export type { RequestLike, ResponseLike } from './store/http.ts'
export type { StoreKeyPairs } from './store/key-pairs.ts'
// Stores
export {
  type RequestContext,
  RequestStore,
  type SessionCore,
  type Store,
} from './store/store.ts'
