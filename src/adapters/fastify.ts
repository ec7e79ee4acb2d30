/**
 * @module The Fastify 5 plugin: the session is loaded in `onRequest` into `request.session` and
 * saved in `onSend`, its `Set-Cookie` set on the reply.
 *
 * `request.session` is typed with `sessionOf<V>(request)`, not by augmenting `FastifyRequest`:
 * `@fastify/session` and `@fastify/secure-session` declare `request.session` with their own types,
 * and a program that sees two declarations (an app migrating, a benchmark of both) fails to
 * build. An app using only pgstore may add the augmentation itself:
 * `declare module 'fastify' { interface FastifyRequest { session: Session<MyData> } }`.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { UsageError } from '../errors.ts'
import { Session, type SessionValues } from '../session/session.ts'
import type { RequestContext, SessionCore } from '../store/store.ts'
import {
  type AdapterOptions,
  assertStore,
  privateCacheHeaders,
  resolveName,
  shouldSave,
} from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

/** Options of {@link fastifySessions}. */
export interface FastifySessionOptions extends AdapterOptions {
  /** The store (a `PGStore` or a `CookieStore`). Required. */
  store: SessionCore
}

function sendCookie(reply: FastifyReply, setCookie: string): void {
  // Fastify appends repeated `set-cookie` values instead of replacing them.
  reply.header('set-cookie', setCookie)
  const change = privateCacheHeaders({
    cacheControl: reply.getHeader('cache-control')?.toString(),
    vary: reply.getHeader('vary')?.toString(),
  })
  if (change.cacheControl) reply.header('cache-control', change.cacheControl)
  if (change.vary) reply.header('vary', change.vary)
}

const plugin: FastifyPluginAsync<FastifySessionOptions> = async function pgstore(app, options) {
  const store = options.store
  assertStore(store)
  const name = resolveName(options)
  const contexts = new WeakMap<FastifyRequest, RequestContext>()
  const failed = new WeakSet<FastifyRequest>()

  // Typed loosely: `@fastify/session`, when in the same program, declares another type for it.
  app.decorateRequest('session', null as never)

  app.addHook('onRequest', async function loadSession(request, reply) {
    const context = { userAgent: request.headers['user-agent'] }
    const session = await store.load(request.headers.cookie, name, context)
    // `session.save()` in a handler sets its cookie on this reply.
    session.bind(request, { appendHeader: (_: string, value: string) => sendCookie(reply, value) })
    ;(request as unknown as { session: Session<SessionValues> }).session = session
    contexts.set(request, context)
  })

  // Runs before the error handler for a route that threw, rejected or sent an error.
  app.addHook('onError', async function markFailed(request) {
    failed.add(request)
  })

  app.addHook('onSend', async function saveSession(request, reply, payload) {
    const context = contexts.get(request)
    // Once per request: an error response for a failed save runs onSend again.
    if (context === undefined) return payload
    contexts.delete(request)
    const outcome = { failed: failed.has(request), status: reply.statusCode }
    if (!shouldSave(outcome, options)) return payload
    const setCookie = await store.commit(sessionOf(request), context)
    if (setCookie !== undefined) sendCookie(reply, setCookie)
    return payload
  })
}

/**
 * Fastify plugin: `request.session` in every route, saved automatically when the reply is sent.
 * An untouched session writes nothing and sends no cookie. A failed load or save goes to Fastify's
 * error handler (a `500` by default). `@fastify/cookie` is not needed.
 *
 * Fail closed: when the route throws, rejects or sends an error (Fastify's `onError` hook runs),
 * or the reply status is `5xx`, nothing is saved and no session cookie is sent, unless
 * `saveOnError` is set.
 *
 * @param options `store` (required), `name` (default `'session'`), `saveOnError` (default
 * `false`).
 * @example
 * ```ts
 * await app.register(fastifySessions, { store, name: 'sid' })
 * app.get('/', async (request) => {
 *   const session = sessionOf<{ views: number }>(request)
 *   session.values.views = (session.values.views ?? 0) + 1
 *   return { views: session.values.views }
 * })
 * ```
 */
export const fastifySessions: FastifyPluginAsync<FastifySessionOptions> = fp(plugin, {
  fastify: '5.x',
  name: 'pgstore',
})

/**
 * `request.session`, typed. Throws `ERR_INVALID_SESSION` when {@link fastifySessions} is not
 * registered in this request's context.
 */
export function sessionOf<V extends SessionValues = SessionValues>(
  request: FastifyRequest,
): Session<V> {
  const session: unknown = (request as unknown as { session?: unknown }).session
  if (!(session instanceof Session)) {
    throw new UsageError(
      'ERR_INVALID_SESSION',
      'request.session is not a pgstore session: register fastifySessions first',
    )
  }
  return session as Session<V>
}
