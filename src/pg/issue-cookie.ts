/**
 * @module When the session cookie goes out. A write does not always need one: the browser already
 * holds a cookie for this id, so it is re-sent only when something about it changed or its Max-Age
 * must keep sliding with the row's expiry.
 */
import { renderSetCookie } from '../session/cookie-header.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionState, StoreContext } from './context.ts'

/** The `Set-Cookie` for `session` under the current key pair; records that it was sent. */
export function cookieFor(ctx: StoreContext, session: Session<SessionValues>): string {
  const { value, signedAt } = ctx.cookies.seal(session.name, session.id)
  const state = ctx.states.get(session)
  if (state) {
    Object.assign(state, { cookieDue: false, maxAge: session.options.maxAge })
    state.cookieSignedAt = signedAt
  }
  return renderSetCookie(session.name, value, session.options, ctx.settings.now())
}

/**
 * After a write of a loaded session, the cookie goes out only when the browser needs it: after a
 * renew, a change of its options, or when the one it holds was signed more than `touchAfter`
 * ago (so its Max-Age keeps sliding with the row's expiry). Otherwise no encode, no header.
 */
export function cookieIfDue(
  ctx: StoreContext,
  session: Session<SessionValues>,
  state: SessionState,
): string | undefined {
  const age = Math.floor(ctx.settings.now() / 1000) - state.cookieSignedAt
  const due =
    state.cookieDue ||
    state.maxAge !== session.options.maxAge ||
    (session.options.maxAge !== 0 && age > ctx.settings.touchAfter)
  return due ? cookieFor(ctx, session) : undefined
}

/** A `Set-Cookie` that makes the browser drop the cookie. */
export function expiredCookie(ctx: StoreContext, session: Session<SessionValues>): string {
  return renderSetCookie(session.name, '', session.options, ctx.settings.now())
}
