/**
 * @module The Express 5 middleware: `req.session` is loaded before the handler and saved before
 * the response is sent (through the node:http machinery of `./node.ts`).
 *
 * `req.session` is typed through the middleware itself, `sessions.of(req)` (`Session<V>` for the
 * `V` the middleware was built with, checked to be the session it loaded), rather than by
 * augmenting `Express.Request`: `@types/express-session` (installed in many apps) declares
 * `req.session` with its own type, and two declarations break the app's build.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { UsageError } from '../errors.ts'
import { Session, type SessionValues } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { createNodeSessions, type NodeSessionOptions } from './node.ts'
import { LoadedSessions } from './typed.ts'

export { destroySession, renewSession } from './shared.ts'

/** The middleware {@link expressSessions} returns, with its typed accessor. */
export interface ExpressSessions<V extends object = SessionValues> extends RequestHandler {
  /**
   * `req.session` as `Session<V>`. Throws `ERR_INVALID_SESSION` unless this middleware loaded it
   * (it is not mounted before this route, or another middleware's session is there).
   */
  of(req: Request): Session<V>
}

/**
 * Express middleware that loads the session into `req.session`. It is saved automatically just
 * before the response is sent (whatever sends it: `res.send`, `res.json`, `res.redirect`,
 * `res.end`); an untouched session writes nothing and sends no cookie. A failed load goes to
 * `next(err)`; a failed save calls `onError`, else answers a bare `500`.
 *
 * Fail closed: when a later handler throws, rejects or calls `next(err)` (and no error handler
 * recovers with a bare `next()`), or the response status is `5xx`, nothing is saved and no session
 * cookie is sent, unless `saveOnError` is set. Errors are seen through the record Express's router
 * (2.3 and later) keeps on the request; with an older router only the `5xx` status tells.
 *
 * @param options `name` (default `'session'`), `onError` (default: none), `saveOnError`
 * (default `false`).
 * @example
 * ```ts
 * const sessions = expressSessions<{ user: string }>(store, { name: 'sid' })
 * app.use(sessions)
 * app.post('/login', async (req, res) => {
 *   const session = sessions.of(req) // Session<{ user: string }>
 *   await renewSession(session)
 *   session.values.user = 'ada'
 *   res.redirect('/')
 * })
 * ```
 */
export function expressSessions<V extends object = SessionValues>(
  store: SessionCore,
  options: NodeSessionOptions = {},
): ExpressSessions<V> {
  const sessions = createNodeSessions<V>(store, options, routerSawError)
  const loaded = new LoadedSessions<V>(
    'req.session is not a session of this middleware: mount it (app.use) before this route',
  )
  async function session(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      ;(req as unknown as { session: Session<V> }).session = loaded.add(await sessions(req, res))
    } catch (error) {
      next(error)
      return
    }
    next()
  }
  const of = (req: Request): Session<V> =>
    loaded.check((req as unknown as { session?: unknown }).session)
  return Object.assign(session, { of })
}

// Express's router (2.3+) remembers on the request every error passed to `next` and not yet
// recovered from, under this registered symbol (shared by every copy of the router package).
const routerErrors = Symbol.for('router.tracing.publishedErrors')

function routerSawError(req: unknown): boolean {
  const seen = (req as Record<symbol, unknown>)[routerErrors]
  return seen instanceof Set && seen.size > 0
}

/**
 * `req.session`, typed. Throws `ERR_INVALID_SESSION` when {@link expressSessions} did not run for
 * this request (a route mounted before it).
 */
export function sessionOf(req: Request): Session<SessionValues> {
  const session: unknown = (req as unknown as { session?: unknown }).session
  if (!(session instanceof Session)) {
    throw new UsageError(
      'ERR_INVALID_SESSION',
      'req.session is not a pgstore session: mount expressSessions() before this route',
    )
  }
  return session as Session<SessionValues>
}
