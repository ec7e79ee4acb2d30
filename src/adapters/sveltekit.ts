/**
 * @module SvelteKit: a `handle` hook that loads the session into `event.locals.session` before the
 * request is resolved and commits it after, with the cache headers a session response needs.
 *
 * Typed structurally against the parts of `@sveltejs/kit`'s `Handle` it uses (`event.request`,
 * `event.locals`, `resolve`), so a Kit app's `handle` export type-checks without pgstore depending
 * on Kit's types (Kit 2 pins TypeScript 5/6 as a peer).
 */
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { withSessionCookie } from './response-cookie.ts'
import { type AdapterOptions, assertStore, resolveName } from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

/** The part of Kit's `RequestEvent` the hook uses. */
export interface SvelteKitEvent {
  request: Request
  locals: object
}

/** Kit's `Handle`, over {@link SvelteKitEvent}; Kit's own `Handle` accepts this function. */
export type SvelteKitHandle = <E extends SvelteKitEvent>(input: {
  event: E
  resolve: (event: E) => Response | Promise<Response>
}) => Promise<Response>

/** What the hook adds to `App.Locals`: declare `interface Locals extends SessionLocals<V> {}`. */
export interface SessionLocals<V extends SessionValues = SessionValues> {
  session: Session<V>
}

/**
 * A `handle` hook over `store` (a `PGStore` or a `CookieStore`): `event.locals.session` is the
 * request's session; after `resolve`, what changed is saved and the `Set-Cookie` (raw, as Go reads
 * it) goes on the response with `Cache-Control: no-store` (unless set) and `Vary: Cookie`. An
 * unchanged session writes nothing. Fails closed: when `resolve` throws or answers 5xx (Kit turns
 * an error thrown in a load or action into a 500 page), nothing is committed.
 *
 * @param options `name`: the cookie name, default `'session'`.
 * @example
 * ```ts
 * // src/hooks.server.ts
 * export const handle = sveltekitSessions(store)
 * // src/app.d.ts: declare global { namespace App { interface Locals extends SessionLocals<{ n: number }> {} } }
 * // +page.server.ts: export const load = ({ locals }) => ({ n: (locals.session.values.n ??= 0) })
 * ```
 */
export function sveltekitSessions(store: SessionCore, options?: AdapterOptions): SvelteKitHandle {
  assertStore(store)
  const name = resolveName(options)
  return async ({ event, resolve }) => {
    const userAgent = event.request.headers.get('user-agent') ?? undefined
    const session = await store.load(event.request.headers.get('cookie'), name, { userAgent })
    ;(event.locals as SessionLocals).session = session
    const response = await resolve(event)
    if (response.status >= 500) return response
    const setCookie = await store.commit(session as Session<SessionValues>, { userAgent })
    return setCookie === undefined ? response : withSessionCookie(response, setCookie)
  }
}
