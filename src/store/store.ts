/**
 * @module The store contract and the request-facing surface every store shares.
 *
 * A store is two core methods over header strings, `load` and `commit`; `get`, `new` and `save`
 * (the gorilla/sessions API) wrap them for request and response objects.
 */
import { getRegistry } from '../session/registry.ts'
import type { Session, SessionValues } from '../session/session.ts'
import type { RequestLike, ResponseLike } from './http.ts'
import {
  addPrivateCacheHeaders,
  appendSetCookie,
  requestCookieHeader,
  requestUserAgent,
} from './http.ts'

/** What a store may know about the request beyond its cookie. */
export interface RequestContext {
  /** The `User-Agent` header, kept with new sessions for listing. */
  userAgent?: string | undefined
}

/**
 * The core of a store, in header strings.
 *
 * - `load`: never throws for bad input. No cookie, a cookie that fails to decode (its typed error is
 *   on `session.error`), an unknown, expired or revoked id: all give a new empty session with a fresh
 *   id to come. Rejects only when the store itself fails (`kind: 'store'`).
 * - `commit`: persists what changed and returns the `Set-Cookie` header to send, or `undefined` when
 *   nothing needs sending (an unchanged session whose expiry need not move).
 */
export interface SessionCore {
  load<V extends object = SessionValues>(
    cookieHeader: string | null | undefined,
    name: string,
    context?: RequestContext,
  ): Promise<Session<V>>
  commit(session: Session<SessionValues>, context?: RequestContext): Promise<string | undefined>
}

/** The gorilla/sessions `Store` interface, with promises. */
export interface Store extends SessionCore {
  /** The session `name` of this request, loaded once per request and cached (the registry). */
  get<V extends object = SessionValues>(req: RequestLike, name: string): Promise<Session<V>>
  /** A session loaded from the request without the per-request cache. */
  'new'<V extends object = SessionValues>(req: RequestLike, name: string): Promise<Session<V>>
  /**
   * Persists `session` and appends its `Set-Cookie` to `res` when one is due, with the cache
   * headers of a response that sets a session cookie (`Cache-Control: no-store`, `Vary: Cookie`)
   * when `res` can still carry them.
   */
  save(req: RequestLike, res: ResponseLike, session: Session<SessionValues>): Promise<void>
}

/** `get`, `new` and `save` for any store that implements `load` and `commit`. */
export abstract class RequestStore implements Store {
  abstract load<V extends object = SessionValues>(
    cookieHeader: string | null | undefined,
    name: string,
    context?: RequestContext,
  ): Promise<Session<V>>

  abstract commit(
    session: Session<SessionValues>,
    context?: RequestContext,
  ): Promise<string | undefined>

  async get<V extends object = SessionValues>(req: RequestLike, name: string): Promise<Session<V>> {
    return getRegistry(req).get<V>(this, name)
  }

  new<V extends object = SessionValues>(req: RequestLike, name: string): Promise<Session<V>> {
    return this.load<V>(requestCookieHeader(req), name)
  }

  async save(req: RequestLike, res: ResponseLike, session: Session<SessionValues>): Promise<void> {
    const setCookie = await this.commit(session, { userAgent: requestUserAgent(req) })
    if (setCookie === undefined) return
    appendSetCookie(res, setCookie)
    addPrivateCacheHeaders(res)
  }
}
