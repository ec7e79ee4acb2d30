/**
 * @module An owner's sessions: listing them ("where am I signed in") and revoking them ("sign out
 * everywhere"). Sessions are named by opaque handles, never by their ids, which stay on the server.
 */
import { UsageError } from '../errors.ts'
import type { Session, SessionValues } from '../session/session.ts'
import { rowKey, run, type StoreContext } from './context.ts'

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

/** A handle is the row's `id` (a bigint) in decimal. */
const handlePattern = /^[0-9]{1,19}$/
const bigintMax = 9223372036854775807n

/** True when `handle` can name a row: decimal digits within PostgreSQL's bigint. */
function isHandle(handle: unknown): handle is string {
  return typeof handle === 'string' && handlePattern.test(handle) && BigInt(handle) <= bigintMax
}

/** The live sessions of `owner`, most recently active first. */
export async function listSessions(
  ctx: StoreContext,
  owner: string,
  current?: Session<SessionValues>,
): Promise<OwnedSession[]> {
  const result = await run(ctx, 'list sessions', ctx.queries.list, [
    owner,
    current?.id ? rowKey(ctx, current.id) : null,
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

/** Deletes every session of `owner` except `except` (a session or a handle); returns the count. */
export async function revokeSessions(
  ctx: StoreContext,
  owner: string,
  except: Session<SessionValues> | string | undefined,
): Promise<number> {
  const key = typeof except === 'object' && except.id ? rowKey(ctx, except.id) : null
  const handle = typeof except === 'string' ? except : null
  if (handle !== null && !isHandle(handle)) {
    throw new UsageError(
      'ERR_INVALID_OPTION',
      'except must be a session or a handle from listSessions',
    )
  }
  const result = await run(ctx, 'revoke sessions', ctx.queries.revoke, [owner, key, handle])
  ctx.events.notify('destroyed', { name: '', count: result.rowCount ?? 0 })
  return result.rowCount ?? 0
}

/** Deletes one session of `owner` by its handle; true if there was one. */
export async function revokeSession(
  ctx: StoreContext,
  owner: string,
  handle: string,
): Promise<boolean> {
  if (!isHandle(handle)) return false
  const result = await run(ctx, 'revoke session', ctx.queries.revokeOne, [owner, handle])
  ctx.events.notify('destroyed', { name: '', count: result.rowCount ?? 0 })
  return (result.rowCount ?? 0) > 0
}
