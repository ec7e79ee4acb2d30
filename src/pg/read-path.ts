/**
 * @module Loading a session: one SELECT, never a write. The cookie is verified before the database
 * is asked; the row's expiry (lifetime, idle, absolute) is decided in that SELECT by the database
 * clock, so an expired, revoked or unknown id simply finds no row.
 */
import { DecodeError, type PgStoreError } from '../errors.ts'
import { readCookie } from '../session/cookie-header.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { StoreContext } from './context.ts'
import type { OpenedCookie } from './cookie-cache.ts'
import { toStoreError } from './errors.ts'
import { type OpenedRow, openRow, rowText, valuesOf } from './row-values.ts'

interface LoadedRow {
  data: unknown
  version: string | number
  owner: string | null
  stale: boolean
}

/**
 * Fills `session` (new and empty, as the store made it) from cookie `name` in `cookieHeader` and its
 * row. Bad input leaves it new, with the typed error on `session.error`; only a store failure throws.
 */
export async function loadSession<V extends SessionValues>(
  ctx: StoreContext,
  session: Session<V>,
  cookieHeader: string | null | undefined,
): Promise<Session<V>> {
  const name = session.name
  const cookie = readCookie(cookieHeader, name)
  if (cookie === undefined) {
    ctx.events.notify('miss', { name, reason: 'no-cookie' })
    return session
  }
  let opened: OpenedCookie
  try {
    opened = ctx.cookies.open(name, cookie)
  } catch (error) {
    return decodeFailed(ctx, session, error)
  }
  const { settings } = ctx
  let row: LoadedRow | undefined
  try {
    const result = await ctx.pool.query<LoadedRow>({
      ...ctx.queries.load,
      values: [opened.id, settings.touchAfter, settings.absolute ?? null, settings.idle ?? null],
    })
    row = result.rows[0]
  } catch (error) {
    throw toStoreError(error, 'load session')
  }
  if (!row) {
    // Expired, revoked or unknown: a new session under a new id; the presented id is never adopted.
    ctx.events.notify('miss', { name, reason: 'no-row' })
    return session
  }
  let decoded: OpenedRow
  try {
    decoded = openCachedRow(ctx, name, row.data)
  } catch (error) {
    return decodeFailed(ctx, session, error)
  }
  session.id = opened.id
  session.values = decoded.values as Partial<V>
  session.isNew = false
  session.owner = row.owner ?? undefined
  ctx.states.set(session as Session<SessionValues>, {
    snapshot: decoded.bytes,
    original: settings.mode === 'merge' ? structuredClone(decoded.values) : undefined,
    version: String(row.version),
    owner: session.owner,
    stale: row.stale,
    // A cookie signed with an older key pair is re-issued with the current one (rotation).
    cookieDue: opened.oldKey,
    cookieSignedAt: opened.signedAt,
    maxAge: session.options.maxAge,
    destroyed: false,
  })
  ctx.events.notify('loaded', { name })
  return session
}

/** `openRow` through the store's row cache: a row seen before skips the MAC, decryption and parse. */
function openCachedRow(ctx: StoreContext, name: string, data: unknown): OpenedRow {
  const text = rowText(data)
  const serializer = ctx.settings.serializer
  const cached = ctx.rows.get(name, text, (bytes) => valuesOf(serializer, bytes))
  if (cached) return cached
  const opened = openRow(name, text, ctx.codecs, serializer)
  ctx.rows.remember(name, text, opened.bytes, opened.values)
  return opened
}

/** A decode failure means "not this store's session": keep it new, record why, rethrow the rest. */
function decodeFailed<V extends SessionValues>(
  ctx: StoreContext,
  session: Session<V>,
  error: unknown,
): Session<V> {
  const typed = error instanceof DecodeError || (error as PgStoreError)?.kind === 'decode'
  if (!typed) throw error
  session.error = error as PgStoreError
  ctx.events.notify('decodeFailed', { name: session.name, code: session.error.code })
  return session
}
