/**
 * @module Loading a session: one SELECT, never a write. The cookie is verified before the database
 * is asked; the row's expiry (lifetime, idle, absolute) is decided in that SELECT by the database
 * clock, so an expired, revoked or unknown id simply finds no row.
 */
import { DecodeError, type PgStoreError } from '../errors.ts'
import { readCookie } from '../session/cookie-header.ts'
import type { Session, SessionValues } from '../session/session.ts'
import { rowKey, type StoreContext } from './context.ts'
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
export async function loadSession<V extends object>(
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
    const limits = [settings.touchAfter, settings.absolute ?? null, settings.idle ?? null]
    const key = rowKey(ctx, opened.id)
    const result = await ctx.pool.query<LoadedRow>({
      ...ctx.queries.load,
      values: [key, ...limits],
    })
    row = result.rows[0]
    if (!row && settings.hashIds) {
      // Written before hashIds was turned on: converted now, in the statement that loads it.
      const plain = await ctx.pool.query<LoadedRow>({
        ...ctx.queries.loadPlain,
        values: [opened.id, ...limits, key],
      })
      row = plain.rows[0]
    }
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
    reseal: resealDue(ctx, decoded, row.stale) ? decoded.sealed : undefined,
    maxAge: session.options.maxAge,
    destroyed: false,
  })
  ctx.events.notify('loaded', { name })
  return session
}

/**
 * A row sealed under an older key pair is re-sealed under the current one at the next save, so
 * retiring the old pair loses no session. A seal older than `resealAfter` is renewed by the next
 * touch (a save due to extend the expiry anyway), so a Go reader, whose codecs check the timestamp
 * against its MaxAge, keeps reading a session we only touch, at no extra statement.
 */
function resealDue(ctx: StoreContext, row: OpenedRow, touchDue: boolean): boolean {
  if (row.codec > 0) return true
  return touchDue && Math.floor(ctx.settings.now() / 1000) - row.sealedAt > ctx.settings.resealAfter
}

/**
 * `openRow` through the store's row cache: a row seen before skips the MAC, decryption and parse.
 * Only rows under the current key pair are remembered: an older pair's row is re-sealed at its
 * next save, and must be recognised as such until then.
 */
function openCachedRow(ctx: StoreContext, name: string, data: unknown): OpenedRow {
  const text = rowText(data)
  const serializer = ctx.settings.serializer
  const cached = ctx.rows.get(name, text, (bytes) => valuesOf(serializer, bytes))
  if (cached) return { ...cached, sealed: text, codec: 0 }
  const opened = openRow(name, text, ctx.codecs, serializer)
  if (opened.codec === 0)
    ctx.rows.remember(name, text, opened.bytes, opened.sealedAt, opened.values)
  return opened
}

/** A decode failure means "not this store's session": keep it new, record why, rethrow the rest. */
function decodeFailed<V extends object>(
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
