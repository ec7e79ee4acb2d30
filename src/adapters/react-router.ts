/**
 * @module React Router (v7, and Remix) session storage over a pgstore store: `getSession`,
 * `commitSession`, `destroySession` as React Router's `SessionStorage` has them, with React
 * Router's own `Session` objects (its `createSession`), so `get`, `set`, `flash` (read once by the
 * next `get`), `unset` and `isSession` behave exactly as with its built-in storages.
 *
 * The cookie is pgstore's (gorilla/securecookie format, the store's keys), not a React Router
 * `Cookie`: pass a `Cookie` only to take its name.
 */
import { type Cookie, createSession, type Session, type SessionStorage } from 'react-router'
import { UsageError } from '../errors.ts'
import type { SessionValues, Session as StoreSession } from '../session/session.ts'
import type { SessionCore } from '../store/store.ts'
import { type AdapterOptions, assertStore, destroySession, resolveName } from './shared.ts'

/** The serialize options `commitSession` takes: those of the `cookie` package, as React Router. */
export type CommitOptions = Parameters<SessionStorage['commitSession']>[1]

/** Options of {@link reactRouterSessionStorage}. */
export interface ReactRouterSessionOptions extends AdapterOptions {
  /** A React Router cookie whose `name` to use instead of `name`. Its signing is not used. */
  cookie?: Pick<Cookie, 'name'> | undefined
}

/**
 * React Router's `SessionStorage`, plus {@link ReactRouterSessionStorage.commitHeaders} for the
 * response headers a committed session needs.
 */
export interface ReactRouterSessionStorage<D = Record<string, unknown>, F = D>
  extends SessionStorage<D, F> {
  /**
   * `commitSession` as headers: `Set-Cookie` with `Cache-Control: no-store` and `Vary: Cookie`
   * when a cookie is due, no headers at all for an unchanged session. Pass them to `data()`,
   * `redirect()` or a `Response`.
   */
  commitHeaders(session: Session<D, F>, options?: CommitOptions): Promise<Headers>
}

/** A store session with the React Router cookie options applied (seconds, as the cookie package). */
function applyOptions(session: StoreSession<SessionValues>, options: CommitOptions): void {
  if (!options) return
  const target = session.options
  if (options.maxAge !== undefined) target.maxAge = options.maxAge
  else if (options.expires !== undefined) {
    target.maxAge = Math.floor((options.expires.getTime() - Date.now()) / 1000)
  }
  if (options.path !== undefined) target.path = options.path
  if (options.domain !== undefined) target.domain = options.domain
  if (options.secure !== undefined) target.secure = options.secure
  if (options.httpOnly !== undefined) target.httpOnly = options.httpOnly
  if (typeof options.sameSite === 'string') {
    target.sameSite = options.sameSite.toLowerCase() as typeof target.sameSite
  }
}

/**
 * A React Router session storage on `store` (a `PGStore` or a `CookieStore`).
 *
 * `commitSession` saves only what changed (an untouched session writes nothing) and returns the
 * `Set-Cookie` value, or `''` when no cookie needs sending; `commitHeaders` gives the headers
 * instead, cache headers included. Nothing is saved unless you call them: an action that throws
 * before committing leaves the stored session as it was. `getSession` rejects with a `StoreError`
 * only when the database fails; a bad cookie gives a new, empty session.
 *
 * @param options `name`: the cookie name, default `'session'` (or `cookie.name`).
 * @example
 * ```ts
 * const { getSession, commitHeaders } = reactRouterSessionStorage<{ user: string }, { error: string }>(store)
 * export async function action({ request }: Route.ActionArgs) {
 *   const session = await getSession(request.headers.get('Cookie'))
 *   session.set('user', 'ada')
 *   return redirect('/', { headers: await commitHeaders(session) })
 * }
 * ```
 */
export function reactRouterSessionStorage<D = Record<string, unknown>, F = D>(
  store: SessionCore,
  options?: ReactRouterSessionOptions,
): ReactRouterSessionStorage<D, F> {
  assertStore(store)
  const name = resolveName({ name: options?.cookie?.name ?? options?.name })
  // Each React Router session knows the store session it came from.
  const origins = new WeakMap<object, StoreSession<SessionValues>>()

  async function origin(session: Session<D, F>): Promise<StoreSession<SessionValues>> {
    if (session === null || typeof session !== 'object' || typeof session.get !== 'function') {
      throw new UsageError('ERR_INVALID_SESSION', 'pass a session from getSession')
    }
    // A session the app made with createSession: a new store session with its data.
    return origins.get(session) ?? (await store.load(undefined, name))
  }

  async function commitSession(session: Session<D, F>, options?: CommitOptions) {
    const stored = await origin(session)
    applyOptions(stored, options)
    // React Router's data map is the truth: the values become exactly its entries.
    const values = Object.create(null) as SessionValues
    Object.assign(values, session.data)
    stored.values = values
    return (await store.commit(stored)) ?? ''
  }

  return {
    async getSession(cookieHeader) {
      const stored = await store.load(cookieHeader, name)
      const session = createSession<D, F>({ ...stored.values } as D, stored.id)
      origins.set(session, stored)
      return session
    },
    commitSession,
    async destroySession(session, options) {
      const stored = await origin(session)
      applyOptions(stored, options)
      await destroySession(stored)
      stored.values = Object.create(null) as SessionValues
      return (await store.commit(stored)) ?? ''
    },
    async commitHeaders(session, options) {
      const headers = new Headers()
      const setCookie = await commitSession(session, options)
      if (setCookie !== '') {
        headers.append('set-cookie', setCookie)
        headers.set('cache-control', 'no-store')
        headers.set('vary', 'Cookie')
      }
      return headers
    },
  }
}
