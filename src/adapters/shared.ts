/**
 * @module What every framework adapter shares: the options, the session name default, renew and
 * destroy over any store, and the cache headers a response carrying a session cookie needs.
 */
import { UsageError } from '../errors.ts'
import { assertCookieName } from '../session/options.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { RequestContext, SessionCore } from '../store/store.ts'

/** The cookie name adapters use when none is given. */
export const defaultSessionName: string = 'session'

/** Options every adapter takes. */
export interface AdapterOptions {
  /** The session's cookie name (an RFC 6265 token). Default `'session'`. */
  name?: string | undefined
}

/** The store methods beyond `load`/`commit` that `PGStore` has and `CookieStore` lacks. */
interface Lifecycle {
  renew?(session: Session<SessionValues>, context?: RequestContext): Promise<void>
  destroy?(session: Session<SessionValues>): Promise<void>
}

/** Validates the options once, when the adapter is built, and returns the session name. */
export function resolveName(options: AdapterOptions | undefined): string {
  const name = options?.name ?? defaultSessionName
  assertCookieName(name)
  return name
}

/** Throws `ERR_INVALID_OPTION` unless `store` has the `load`/`commit` core. */
export function assertStore(store: SessionCore): void {
  if (!store || typeof store.load !== 'function' || typeof store.commit !== 'function') {
    throw new UsageError('ERR_INVALID_OPTION', 'store must be a PGStore or a CookieStore')
  }
}

/**
 * Deletes the session now (its row, for `PGStore`); the adapter then sends an expiring cookie with
 * the response. A store without rows (`CookieStore`) just expires the cookie. Idempotent.
 */
export async function destroySession(session: Session<SessionValues>): Promise<void> {
  const store = session.store as Lifecycle
  if (typeof store.destroy === 'function') await store.destroy(session)
  else session.options.maxAge = -1
}

/**
 * Gives the session a new id and keeps its values; the old id stops working at once. Call it at
 * sign-in and on privilege changes (session fixation). The adapter sends the new cookie with the
 * response. A store without server-side ids (`CookieStore`) has nothing to renew: no-op.
 */
export async function renewSession(
  session: Session<SessionValues>,
  context?: RequestContext,
): Promise<void> {
  const store = session.store as Lifecycle
  if (typeof store.renew === 'function') await store.renew(session, context)
}

/**
 * The cache headers of a response that sets a session cookie (reliability.md C7): a shared cache
 * must neither store it nor serve it to another user. `Cache-Control: no-store` is added only when
 * the app set no `Cache-Control`; `Cookie` is added to `Vary` unless already there (or `*`).
 * Returns only the headers to change.
 */
export function privateCacheHeaders(current: {
  cacheControl: string | undefined
  vary: string | undefined
}): { cacheControl?: string; vary?: string } {
  const out: { cacheControl?: string; vary?: string } = {}
  if (!current.cacheControl) out.cacheControl = 'no-store'
  const fields = (current.vary ?? '')
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter(Boolean)
  if (!fields.includes('cookie') && !fields.includes('*')) {
    out.vary = current.vary?.trim() ? `${current.vary}, Cookie` : 'Cookie'
  }
  return out
}

/** A header value as one string (node:http may hold a number or a list). */
export function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return Array.isArray(value) ? value.join(', ') : String(value)
}
