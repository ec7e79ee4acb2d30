/**
 * @module The node:http adapter, and the machinery Express and Koa share: saving every session a
 * response loaded just before its headers go out.
 *
 * Saving is async (a database write) while `writeHead`, `write` and `end` are sync, so the first
 * of them (or `flushHeaders`) to be called starts the save and is queued with every later call;
 * when the save is done the cookies are set and the calls are replayed in order.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { OutgoingMessage } from 'node:http'
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
  shouldSave,
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

/** How a tracked response decides whether to save; see {@link trackSession}. */
export interface TrackOptions {
  /** Called when the save fails; see {@link NodeSessionOptions.onError}. */
  onError?: SaveErrorHandler | undefined
  /** Save even a failed request's sessions. Default `false` (see `shouldSave`). */
  saveOnError?: boolean | undefined
  /**
   * Whether the framework saw the handler fail (Express: an error passed on through `next`),
   * asked once, when the response starts. Default: only the status tells (`5xx`).
   */
  failed?: ((req: IncomingMessage) => boolean) | undefined
}

interface Hook extends TrackOptions {
  req: IncomingMessage
  pending: PendingSession[]
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

type HeaderPair = [unknown, unknown]

// `writeHead(status, headers)` replaces headers of the same name set before, so its `Set-Cookie`,
// `Vary` or `Cache-Control` would drop ours. Its headers are applied first as Node would (an object
// replaces each name, a list replaces each name and then appends every pair), then ours are merged
// in, then the head is written with the status (and message) alone.
function replayWriteHead(
  res: ServerResponse,
  writeHead: (...args: unknown[]) => unknown,
  args: unknown[],
  cookies: readonly string[],
): unknown {
  const last = args.at(-1)
  if (cookies.length === 0 || last === null || typeof last !== 'object') {
    return writeHead.apply(res, args)
  }
  if (Array.isArray(last)) {
    // Flat `[name, value, ...]` or `[[name, value], ...]`.
    const pairs: HeaderPair[] = Array.isArray(last[0])
      ? (last as HeaderPair[])
      : last.flatMap((item, i): HeaderPair[] => (i % 2 === 0 ? [[item, last[i + 1]]] : []))
    for (const [name] of pairs) if (name) res.removeHeader(String(name))
    for (const [name, value] of pairs) {
      if (name) res.appendHeader(String(name), value as string | readonly string[])
    }
  } else {
    for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) {
      if (name) res.setHeader(name, value as string | number | readonly string[])
    }
  }
  addSessionHeaders(res, cookies)
  return writeHead.apply(res, args.slice(0, -1))
}

/** The bytes a `write(chunk, encoding?)` call queues. */
function chunkSize(args: unknown[]): number {
  const [chunk, encoding] = args
  if (typeof chunk === 'string') {
    return Buffer.byteLength(
      chunk,
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    )
  }
  return chunk instanceof Uint8Array ? chunk.byteLength : 0
}

const writableLength = Object.getOwnPropertyDescriptor(OutgoingMessage.prototype, 'writableLength')
const writableNeedDrain = Object.getOwnPropertyDescriptor(
  OutgoingMessage.prototype,
  'writableNeedDrain',
)

function sendServerError(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name)
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end('Internal Server Error')
}

function install(res: ServerResponse, hook: Hook): void {
  const originals = methods.map((method) => res[method] as (...args: unknown[]) => unknown)
  const queue: Array<[number, unknown[]]> = []
  let state: 'waiting' | 'saving' | 'done' = 'waiting'
  // Backpressure while the save runs: the bytes queued, and whether a `write` answered `false`
  // (then a `'drain'` is owed once the queue is replayed).
  let queuedBytes = 0
  let needDrain = false

  // While the save runs the queue is this response's buffer: report it as Node would. Defined at
  // the first queued write only, so a response sent with `end()` alone pays nothing for it.
  let viewDefined = false
  const defineBufferView = () => {
    viewDefined = true
    Object.defineProperty(res, 'writableLength', {
      configurable: true,
      get(this: ServerResponse) {
        return (writableLength?.get?.call(this) as number) + queuedBytes
      },
    })
    Object.defineProperty(res, 'writableNeedDrain', {
      configurable: true,
      get(this: ServerResponse) {
        return needDrain || (writableNeedDrain?.get?.call(this) as boolean)
      },
    })
  }

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
      queuedBytes = 0
      await report(failure)
      if (!res.headersSent && !res.writableEnded) sendServerError(res)
      return
    }
    let drains = true
    for (const [index, args] of queue.splice(0)) {
      const original = originals[index] as (...args: unknown[]) => unknown
      try {
        const result =
          methods[index] === 'writeHead'
            ? replayWriteHead(res, original, args, cookies)
            : original.apply(res, args)
        if (methods[index] === 'write') drains = result !== false
      } catch (error) {
        // Thrown to the handler without us (a second writeHead): report it, keep the order.
        void report(error)
      }
    }
    queuedBytes = 0
    // A real write that answered `false` makes the stream emit `'drain'` itself; otherwise the
    // writer we told to wait is released here.
    if (needDrain && drains && !res.writableEnded) res.emit('drain')
    needDrain = false
    if (failure !== undefined) await report(failure)
  }

  // The status the response starts with: `writeHead`'s first argument, or `res.statusCode`.
  const statusOf = (index: number, args: unknown[]) =>
    methods[index] === 'writeHead' && typeof args[0] === 'number' ? args[0] : res.statusCode

  methods.forEach((method, index) => {
    const original = originals[index]
    if (typeof original !== 'function') return
    const wrapper = function (this: ServerResponse, ...args: unknown[]): unknown {
      if (state === 'done') return original.apply(this, args)
      if (state === 'waiting') {
        const failed = hook.failed?.(hook.req) ?? false
        if (!shouldSave({ failed, status: statusOf(index, args) }, hook)) {
          // Fail closed: the request failed, so its sessions are neither saved nor sent.
          state = 'done'
          return original.apply(this, args)
        }
        state = 'saving'
        queue.push([index, args])
        void save()
      } else queue.push([index, args])
      if (method === 'write') {
        if (!viewDefined) defineBufferView()
        queuedBytes += chunkSize(args)
        if (queuedBytes >= res.writableHighWaterMark) needDrain = true
        return !needDrain
      }
      // What the real calls return, so `res.writeHead(200).end()` chains.
      return method === 'flushHeaders' ? undefined : res
    }
    Object.defineProperty(wrapper, 'name', { value: method })
    ;(res as unknown as Record<Method, unknown>)[method] = wrapper
  })
}

/**
 * Saves `session` with the response: just before `res` sends its headers, unless the request
 * failed (see {@link TrackOptions}). Several sessions (and stores) may be tracked on one response;
 * the options of the first call are the ones used. `options` may be an `onError` function alone.
 */
export function trackSession(
  req: IncomingMessage,
  res: ServerResponse,
  pending: PendingSession,
  options?: SaveErrorHandler | TrackOptions,
): void {
  let hook = hooks.get(res)
  if (!hook) {
    const given = typeof options === 'function' ? { onError: options } : (options ?? {})
    hook = { ...given, req, pending: [] }
    hooks.set(res, hook)
    install(res, hook)
  }
  hook.onError ??= typeof options === 'function' ? options : options?.onError
  if (!hook.pending.some((p) => p.session === pending.session)) hook.pending.push(pending)
}

/**
 * Sessions for node:http. The returned function loads a session once per request (later calls
 * return the same one) and saves it automatically before the response's headers are sent, even
 * when the handler calls `res.end()` directly. An untouched session writes nothing and sends no
 * cookie. `session.save()` works without arguments.
 *
 * Fail closed: when the response starts with a `5xx` status, nothing is saved and no session
 * cookie is sent, unless `saveOnError` is set (a handler that throws has no other trace in
 * node:http; answering `500` is how it fails).
 *
 * While the save runs the response's calls are queued; `res.write()` returns `false` once the
 * queue holds `res.writableHighWaterMark` bytes and `'drain'` follows the save, so a writer that
 * honours backpressure keeps memory bounded while the database is slow. `res.writableLength`
 * counts the queue; `res.writableEnded` stays `false` until the save is done.
 *
 * @param options `name` (default `'session'`), `onError` (default: none, a bare `500`),
 * `saveOnError` (default `false`).
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
  return createNodeSessions<V>(store, options)
}

/**
 * {@link nodeSessions} for a framework built on node:http that can also tell when a handler
 * failed (`failed`, asked when the response starts; see {@link TrackOptions}).
 */
export function createNodeSessions<V extends object = SessionValues>(
  store: SessionCore,
  options: NodeSessionOptions,
  failed?: (req: IncomingMessage) => boolean,
): NodeSessions<V> {
  assertStore(store)
  const defaultName = resolveName(options)
  const track: TrackOptions = { onError: options.onError, saveOnError: options.saveOnError, failed }
  const loaded = new WeakMap<IncomingMessage, Map<string, Promise<Session<V>>>>()

  const load = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    const context = nodeContext(req)
    const session = await store.load<V>(req.headers.cookie, name, context)
    // `session.save()` in a handler sets its cookie (and the cache headers) on this response.
    session.bind(req, {
      appendHeader: (_: string, value: string) => addSessionHeaders(res, [value]),
    })
    trackSession(req, res, { store, session: session as Session<SessionValues>, context }, track)
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
