/**
 * @module What every framework adapter shares: the options, the session name default, renew and
 * destroy over any store, the fail-closed rule ({@link shouldSave}), and the cache headers a
 * response carrying a session cookie needs (re-exported from `../store/http.ts`).
 */
import { UsageError } from '../errors.ts'
import { assertCookieName } from '../session/options.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { RequestContext, SessionCore } from '../store/store.ts'

export { addPrivateCacheHeaders, headerText, privateCacheHeaders } from '../store/http.ts'

/** The cookie name adapters use when none is given. */
export const defaultSessionName: string = 'session'

/** Options every adapter takes. */
export interface AdapterOptions {
  /** The session's cookie name (an RFC 6265 token). Default `'session'`. */
  name?: string | undefined
  /**
   * Save the session even when the handler failed: it threw, rejected, called `next(err)`, or the
   * response status is `5xx` (see {@link shouldSave}). Default `false`: a failed request commits
   * nothing and sends no session cookie, so a half-done change (`values.admin = true`, then a
   * throw) is never persisted.
   */
  saveOnError?: boolean | undefined
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
  const saveOnError: unknown = options?.saveOnError
  if (saveOnError !== undefined && typeof saveOnError !== 'boolean') {
    throw new UsageError('ERR_INVALID_OPTION', 'saveOnError must be a boolean')
  }
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
 * Whether a response status counts as a failed request: every `5xx`. A `4xx` is an answer the app
 * chose (a refused sign-in may well count attempts in the session), so it is saved as usual.
 */
export function isFailureStatus(status: number): boolean {
  return status >= 500
}

/**
 * The fail-closed rule every adapter applies once the handler is done: nothing is saved and no
 * session cookie is sent when the handler failed (it threw, rejected or passed an error on, or the
 * response is a `5xx`), unless the app opted in with `saveOnError`. Changes made by `destroy` and
 * `renew` are in the database already and stand; the cookie they would send is not sent.
 *
 * @param outcome `failed`: the framework reported an error; `status`: the response status.
 * @param options the adapter's options (`saveOnError` default `false`).
 */
export function shouldSave(
  outcome: { failed: boolean; status: number },
  options: AdapterOptions | undefined,
): boolean {
  if (options?.saveOnError === true) return true
  return !outcome.failed && !isFailureStatus(outcome.status)
}
