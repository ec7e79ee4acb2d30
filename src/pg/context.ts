/**
 * @module What every part of PGStore shares: the pool, the statements, the codecs, the resolved
 * options, and what it remembers about each session between load and commit.
 */
import type { SecureCookie } from '../codec/index.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { StoreEventEmitter } from '../store/events.ts'
import type { CookieCache } from './cookie-cache.ts'
import type { QueryResultLike, SqlClient } from './driver.ts'
import { toStoreError } from './errors.ts'
import type { TableRef } from './identifiers.ts'
import type { Queries } from './queries.ts'
import type { RowCache } from './row-cache.ts'
import type { ResolvedStoreOptions } from './store-options.ts'

/** What the store remembers about a session between load and save. */
export interface SessionState {
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
  /**
   * The row's `data` as loaded, kept only when the next save must re-seal it even if the values
   * did not change: it was sealed under an older key pair, or longer ago than `resealAfter`. The
   * re-seal writes only while the row still holds exactly this, so it never undoes another write.
   */
  reseal: string | undefined
  /** The session's maxAge when loaded; a change must reach the browser. */
  maxAge: number
  destroyed: boolean
}

/** One store's shared parts; the read path, write path and owner operations take it. */
export interface StoreContext {
  readonly pool: SqlClient
  readonly table: TableRef
  readonly queries: Queries
  /** Newest key pair first: the first encodes, any decodes. */
  readonly codecs: SecureCookie[]
  readonly settings: ResolvedStoreOptions
  readonly events: StoreEventEmitter
  readonly states: WeakMap<Session<SessionValues>, SessionState>
  readonly cookies: CookieCache
  /** Rows already verified and decoded, by cookie name and `data` text. */
  readonly rows: RowCache
}

/** A session whose maxAge is 0 ("browser session") still needs a row lifetime: Go's 30 days. */
const fallbackLifetime = 86400 * 30

/** Seconds a write keeps the session alive: its maxAge (0 means the store's), capped by idle. */
export function lifetime(ctx: StoreContext, session: Session<SessionValues>): number {
  const own = session.options.maxAge > 0 ? session.options.maxAge : ctx.settings.cookie.maxAge
  const life = own > 0 ? own : fallbackLifetime
  const idle = ctx.settings.idle
  return idle === undefined ? life : Math.min(life, idle)
}

/** The `key` column for session id `id`: the id, or its hash with `hashIds`. */
export function rowKey(ctx: StoreContext, id: string): string | Buffer {
  return ctx.settings.rowKey(id)
}

/** Runs one statement on the pool; a failure becomes a typed store error saying what was `doing`. */
export async function run(
  ctx: StoreContext,
  doing: string,
  query: { name: string; text: string },
  values: unknown[],
): Promise<QueryResultLike<Record<string, unknown>>> {
  try {
    return await ctx.pool.query({ ...query, values })
  } catch (error) {
    throw toStoreError(error, doing)
  }
}
