/**
 * @module The per-request registry: each named session is loaded once per request and shared by
 * every `store.get` of that request (gorilla/sessions `Registry`).
 */
import { MultiError, type PgStoreError } from '../errors.ts'
import type { RequestLike, ResponseLike } from '../store/http.ts'
import { assertCookieName } from './options.ts'
import type { Session, SessionValues } from './session.ts'

/**
 * What the registry needs of a store: to open a session for a request and to save one. Every
 * `Store` is one; the registry names only these two methods so it does not depend on stores.
 */
export interface SessionSource {
  'new'<V extends object = SessionValues>(req: RequestLike, name: string): Promise<Session<V>>
  save(req: RequestLike, res: ResponseLike, session: Session<SessionValues>): Promise<void>
}

interface Entry {
  store: SessionSource
  session: Promise<Session<SessionValues>>
}

/** The sessions one request has opened, by name. */
export class Registry {
  readonly #request: object
  readonly #entries = new Map<string, Entry>()

  constructor(request: object) {
    this.#request = request
  }

  /**
   * The session `name` from `store`, loaded on first use. Throws `ERR_INVALID_COOKIE_NAME` for a
   * name that is not an RFC 6265 token.
   */
  get<V extends object = SessionValues>(store: SessionSource, name: string): Promise<Session<V>> {
    assertCookieName(name)
    let entry = this.#entries.get(name)
    if (!entry) {
      const session = store.new<V>(this.#request as never, name) as Promise<Session<SessionValues>>
      entry = { store, session }
      this.#entries.set(name, entry)
      // A failed load is not cached: the next get in this request tries again.
      session.catch(() => this.#entries.delete(name))
    }
    return entry.session as Promise<Session<V>>
  }

  /** Saves every session opened in this request; all are attempted, failures are thrown together. */
  async saveAll(res: ResponseLike): Promise<void> {
    const results = await Promise.allSettled(
      [...this.#entries.values()].map(async ({ store, session }) =>
        store.save(this.#request as never, res, await session),
      ),
    )
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new MultiError(errors as PgStoreError[])
  }
}

const registries = new WeakMap<object, Registry>()

/** The registry of `request`, created on first use and dropped with the request. */
export function getRegistry(request: object): Registry {
  let registry = registries.get(request)
  if (!registry) registries.set(request, (registry = new Registry(request)))
  return registry
}

/** Saves every session `request` opened (gorilla/sessions `sessions.Save`). */
export function saveAll(request: object, res: ResponseLike): Promise<void> {
  return getRegistry(request).saveAll(res)
}
