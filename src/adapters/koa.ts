/**
 * @module The Koa middleware: `ctx.session`, saved after the downstream middleware resolves and
 * before Koa writes the response. Koa is imported for its types only.
 */
import type { DefaultState, Middleware } from 'koa'
import type { Session, SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { addSessionHeaders, commitSessions } from './node.ts'
import { type AdapterOptions, assertStore, resolveName } from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

/** What the middleware adds to the Koa context. */
export type SessionContext<V extends SessionValues = SessionValues> = {
  session: Session<V>
}

/**
 * Koa middleware: loads the session into `ctx.session` and saves it once the downstream middleware
 * resolved. An untouched session writes nothing and sends no cookie. A failed load or save is
 * thrown into Koa's error handling (a `500`). When a downstream middleware throws, the session is
 * not saved (Koa clears the headers for its error response anyway).
 *
 * The context type flows through `app.use`, so no global augmentation is needed.
 *
 * @param options `name`: the cookie name, default `'session'`.
 * @example
 * ```ts
 * const app = new Koa().use(koaSessions<{ views: number }>(store, { name: 'sid' }))
 * app.use((ctx) => {
 *   ctx.session.values.views = (ctx.session.values.views ?? 0) + 1
 *   ctx.body = `views: ${ctx.session.values.views}`
 * })
 * ```
 */
export function koaSessions<V extends SessionValues = SessionValues>(
  store: SessionCore,
  options?: AdapterOptions,
): Middleware<DefaultState, SessionContext<V>> {
  assertStore(store)
  const name = resolveName(options)
  return async function session(ctx, next) {
    const context = { userAgent: ctx.get('user-agent') || undefined }
    const session = await store.load<V>(ctx.get('cookie') || undefined, name, context)
    const res = ctx.res
    // `session.save()` in a handler sets its cookie (and the cache headers) on this response.
    session.bind(ctx.req, {
      appendHeader: (_: string, value: string) => addSessionHeaders(res, [value]),
    })
    ctx.session = session
    await next()
    const cookies = await commitSessions([
      { store, session: session as Session<SessionValues>, context },
    ])
    if (cookies.length > 0) addSessionHeaders(res, cookies)
  }
}
