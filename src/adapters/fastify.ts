/**
 * @module The Fastify 5 plugin: the session is loaded in `onRequest` into `request.session` and
 * saved in `onSend`, its `Set-Cookie` set on the reply.
 *
 * Typed access goes through the plugin itself: `createFastifySessions<V>(options)` returns a plugin
 * whose `of(request)` is `Session<V>`, checked to be the session it loaded. `request.session` is
 * not typed by augmenting `FastifyRequest`:
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
import { LoadedSessions } from './typed.ts'

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

/** The plugin body; `loaded`, when given, records each session for a typed accessor. */
async function install(
  app: Parameters<FastifyPluginAsync>[0],
  options: FastifySessionOptions,
  loaded?: LoadedSessions<object>,
): Promise<void> {
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
    loaded?.add(session)
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

const plugin: FastifyPluginAsync<FastifySessionOptions> = (app, options) => install(app, options)
const pluginMeta = { fastify: '5.x', name: 'pgstore' } as const

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
 * app.get('/', async (request) => sessionOf(request).values) // untyped values
 * ```
 * For typed values, {@link createFastifySessions}.
 * ```ts
 * ```
 */
export const fastifySessions: FastifyPluginAsync<FastifySessionOptions> = fp(plugin, pluginMeta)

/** A plugin with its options built in, and its typed accessor; see {@link createFastifySessions}. */
export interface FastifySessions<V extends object = SessionValues> extends FastifyPluginAsync {
  /**
   * `request.session` as `Session<V>`. Throws `ERR_INVALID_SESSION` unless this plugin loaded it
   * (it is not registered in this request's context, or another plugin instance's session is there).
   */
  of(request: FastifyRequest): Session<V>
}

/**
 * {@link fastifySessions} with typed values: register the returned plugin, then read the session
 * with its `of(request)`.
 *
 * @param options `store` (required), `name` (default `'session'`), checked here.
 * @example
 * ```ts
 * const sessions = createFastifySessions<{ views: number }>({ store, name: 'sid' })
 * await app.register(sessions)
 * app.get('/', async (request) => {
 *   const session = sessions.of(request) // Session<{ views: number }>
 *   session.values.views = (session.values.views ?? 0) + 1
 *   return { views: session.values.views }
 * })
 * ```
 */
export function createFastifySessions<V extends object = SessionValues>(
  options: FastifySessionOptions,
): FastifySessions<V> {
  assertStore(options.store)
  resolveName(options)
  const loaded = new LoadedSessions<V>(
    'request.session is not a session of this plugin: register it before this route',
  )
  const body: FastifyPluginAsync = (app) => install(app, options, loaded as LoadedSessions<object>)
  const registered = fp(body, pluginMeta)
  const of = (request: FastifyRequest): Session<V> =>
    loaded.check((request as unknown as { session?: unknown }).session)
  return Object.assign(registered, { of })
}

/**
 * `request.session` with untyped values (`Session<SessionValues>`). For typed values use
 * {@link createFastifySessions} and its `of(request)`. Throws `ERR_INVALID_SESSION` when no pgstore
 * plugin is registered in this request's context.
 */
export function sessionOf(request: FastifyRequest): Session<SessionValues> {
  const session: unknown = (request as unknown as { session?: unknown }).session
  if (!(session instanceof Session)) {
    throw new UsageError(
      'ERR_INVALID_SESSION',
      'request.session is not a pgstore session: register fastifySessions first',
    )
  }
  return session as Session<SessionValues>
}
