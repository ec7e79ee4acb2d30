/**
 * @module The node:http adapter, and the machinery Express and Koa share: saving every session a
 * response loaded just before its headers go out.
 *
 * Saving is async (a database write) while `writeHead`, `write` and `end` are sync, so the first
 * of them (or `flushHeaders`) to be called starts the save and is queued with every later call;
 * when the save is done the cookies are set and the calls are replayed in order.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { MultiError, type PgStoreError, UsageError } from '../errors.ts'
import { assertCookieName } from '../session/options.ts'
import type { Session, SessionValues } from '../session/session.ts'
import { requestUserAgent } from '../store/http.ts'
import type { RequestContext, SessionCore } from '../store/store.ts'
import {
  type AdapterOptions,
  assertStore,
  headerText,
  privateCacheHeaders,
  resolveName,
} from './shared.ts'

export { destroySession, renewSession } from './shared.ts'

/** Handles a failed save of the sessions of a response. */
export type SaveErrorHandler = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
) => void | Promise<void>

/** Options of {@link nodeSessions}. */
export interface NodeSessionOptions extends AdapterOptions {
  /**
   * Called when saving fails as the response is about to be sent (the database is down). It may
   * send its own response; otherwise the client gets a bare `500`. Default: none (nothing is
   * logged; the `500` is sent). Errors it throws are ignored.
   */
  onError?: SaveErrorHandler | undefined
}

/** Loads a session of a request; see {@link nodeSessions}. */
export type NodeSessions<V extends object = SessionValues> = (
  req: IncomingMessage,
  res: ServerResponse,
  name?: string,
) => Promise<Session<V>>

/** A session waiting to be saved, with what the store needs to save it. */
export interface PendingSession {
  store: SessionCore
  session: Session<SessionValues>
  context: RequestContext
}

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders'
const methods: readonly Method[] = ['writeHead', 'write', 'end', 'flushHeaders']

interface Hook {
  req: IncomingMessage
  pending: PendingSession[]
  onError: SaveErrorHandler | undefined
}

const hooks = new WeakMap<ServerResponse, Hook>()

/** The request's `User-Agent`, for the rows of new sessions. */
export function nodeContext(req: IncomingMessage): RequestContext {
  return { userAgent: requestUserAgent(req) }
}

/**
 * Saves every session in `pending`; all are attempted. Returns the `Set-Cookie` values to send;
 * rejects with the failure (a `MultiError` when several failed).
 */
export async function commitSessions(pending: readonly PendingSession[]): Promise<string[]> {
  const results = await Promise.allSettled(
    pending.map(({ store, session, context }) => store.commit(session, context)),
  )
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new MultiError(errors as PgStoreError[])
  return results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []))
}

/**
 * Adds `cookies` to the response's `Set-Cookie` (keeping the others, skipping exact duplicates),
 * with `Cache-Control: no-store` unless the app set one, and `Vary: Cookie`.
 */
export function addSessionHeaders(res: ServerResponse, cookies: readonly string[]): void {
  const previous = res.getHeader('set-cookie')
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [`${previous}`]
  for (const cookie of cookies) if (!list.includes(cookie)) list.push(cookie)
  res.setHeader('set-cookie', list)
  const change = privateCacheHeaders({
    cacheControl: headerText(res.getHeader('cache-control')),
    vary: headerText(res.getHeader('vary')),
  })
  if (change.cacheControl) res.setHeader('cache-control', change.cacheControl)
  if (change.vary) res.setHeader('vary', change.vary)
}

const isSetCookie = (name: unknown) => `${name}`.toLowerCase() === 'set-cookie'
const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

// `writeHead(status, headers)` replaces headers of the same name set before, so a `Set-Cookie`
// among its headers would drop ours: merge ours into its own.
function withCookies(args: unknown[], cookies: readonly string[]): unknown[] {
  const last = args.at(-1)
  if (cookies.length === 0 || last === null || typeof last !== 'object') return args
  if (Array.isArray(last)) {
    // Flat `[name, value, ...]` or `[[name, value], ...]`; Node sets each pair in turn.
    const pairs: unknown[][] = Array.isArray(last[0])
      ? (last as unknown[][])
      : last.flatMap((item, i) => (i % 2 === 0 ? [[item, last[i + 1]]] : []))
    if (!pairs.some(([name]) => isSetCookie(name))) return args
    const own = pairs.filter(([name]) => isSetCookie(name)).flatMap(([, value]) => asList(value))
    const rest = pairs.filter(([name]) => !isSetCookie(name)).flat()
    return [...args.slice(0, -1), [...rest, 'set-cookie', [...own, ...cookies]]]
  }
  const headers = { ...(last as OutgoingHttpHeaders) }
  const keys = Object.keys(headers).filter(isSetCookie)
  if (keys.length === 0) return args
  const own = keys.flatMap((key) => asList(headers[key]))
  for (const key of keys) delete headers[key]
  headers['set-cookie'] = [...own.map(String), ...cookies]
  return [...args.slice(0, -1), headers]
}

function sendServerError(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name)
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end('Internal Server Error')
}

function install(res: ServerResponse, hook: Hook): void {
  const originals = methods.map((method) => res[method] as (...args: unknown[]) => unknown)
  const queue: Array<[number, unknown[]]> = []
  let state: 'waiting' | 'saving' | 'done' = 'waiting'

  const report = async (error: unknown) => {
    try {
      await hook.onError?.(error, hook.req, res)
    } catch {
      // The handler's own failure has nowhere better to go than the 500 that follows.
    }
  }

  const save = async () => {
    let cookies: string[] = []
    let failure: unknown
    try {
      cookies = await commitSessions(hook.pending)
    } catch (error) {
      failure = error
    }
    state = 'done'
    if (failure === undefined && cookies.length > 0) {
      if (res.headersSent) {
        failure = new UsageError(
          'ERR_INVALID_SESSION',
          'a session was loaded after the response headers were sent: its cookie was not set',
        )
      } else addSessionHeaders(res, cookies)
    }
    if (failure !== undefined && !res.headersSent) {
      // The handler's response would claim a success the session did not have.
      queue.length = 0
      await report(failure)
      if (!res.headersSent && !res.writableEnded) sendServerError(res)
      return
    }
    for (const [index, args] of queue.splice(0)) {
      const replayed = methods[index] === 'writeHead' ? withCookies(args, cookies) : args
      try {
        originals[index]?.apply(res, replayed)
      } catch (error) {
        // Thrown to the handler without us (a second writeHead): report it, keep the order.
        void report(error)
      }
    }
    if (failure !== undefined) await report(failure)
  }

  methods.forEach((method, index) => {
    const original = originals[index]
    if (typeof original !== 'function') return
    const wrapper = function (this: ServerResponse, ...args: unknown[]): unknown {
      if (state === 'done') return original.apply(this, args)
      queue.push([index, args])
      if (state === 'waiting') {
        state = 'saving'
        void save()
      }
      // What the real calls return, so `res.writeHead(200).end()` chains.
      return method === 'write' ? true : method === 'flushHeaders' ? undefined : res
    }
    Object.defineProperty(wrapper, 'name', { value: method })
    ;(res as unknown as Record<Method, unknown>)[method] = wrapper
  })
}

/**
 * Saves `session` with the response: just before `res` sends its headers. Several sessions (and
 * stores) may be tracked on one response; the first `onError` given is the one used.
 */
export function trackSession(
  req: IncomingMessage,
  res: ServerResponse,
  pending: PendingSession,
  onError?: SaveErrorHandler,
): void {
  let hook = hooks.get(res)
  if (!hook) {
    hook = { req, pending: [], onError }
    hooks.set(res, hook)
    install(res, hook)
  }
  hook.onError ??= onError
  if (!hook.pending.some((p) => p.session === pending.session)) hook.pending.push(pending)
}

/**
 * Sessions for node:http. The returned function loads a session once per request (later calls
 * return the same one) and saves it automatically before the response's headers are sent, even
 * when the handler calls `res.end()` directly. An untouched session writes nothing and sends no
 * cookie. `session.save()` works without arguments.
 *
 * While the save runs, `res.write()` returns `true` and `res.writableEnded` stays `false`.
 *
 * @param options `name` (default `'session'`), `onError` (default: none, a bare `500`).
 * @example
 * ```ts
 * const sessions = nodeSessions<{ views: number }>(store, { name: 'sid' })
 * http.createServer(async (req, res) => {
 *   const session = await sessions(req, res)
 *   session.values.views = (session.values.views ?? 0) + 1
 *   res.end(`views: ${session.values.views}`)
 * })
 * ```
 */
export function nodeSessions<V extends object = SessionValues>(
  store: SessionCore,
  options: NodeSessionOptions = {},
): NodeSessions<V> {
  assertStore(store)
  const defaultName = resolveName(options)
  const onError = options.onError
  const loaded = new WeakMap<IncomingMessage, Map<string, Promise<Session<V>>>>()

  const load = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    const context = nodeContext(req)
    const session = await store.load<V>(req.headers.cookie, name, context)
    // `session.save()` in a handler sets its cookie (and the cache headers) on this response.
    session.bind(req, {
      appendHeader: (_: string, value: string) => addSessionHeaders(res, [value]),
    })
    trackSession(req, res, { store, session: session as Session<SessionValues>, context }, onError)
    return session
  }

  return function sessions(req, res, name = defaultName) {
    if (name !== defaultName) assertCookieName(name)
    let byName = loaded.get(req)
    if (!byName) loaded.set(req, (byName = new Map()))
    let session = byName.get(name)
    if (!session) {
      session = load(req, res, name)
      byName.set(name, session)
      // A failed load is not cached: a later call in this request tries again.
      session.catch(() => byName.delete(name))
    }
    return session
  }
}
