/**
 * @module A session: an id, typed values, cookie options, and the store that saves it
 * (gorilla/sessions `Session`).
 */
import type { PgStoreError } from '../errors.ts'
import { UsageError } from '../errors.ts'
import { addFlash, defaultFlashKey, takeFlashes } from './flashes.ts'
import type { CookieOptions } from './options.ts'

/** Session values: string keys, values the store's serializer can represent. */
export type SessionValues = Record<string, unknown>

/**
 * What a session needs from its store to save itself; the full contract is `Store` in
 * `src/store/store.ts`.
 */
export interface SessionSaver {
  save(req: unknown, res: unknown, session: Session<SessionValues>): Promise<void>
}

/**
 * One named session of one request.
 *
 * `values` holds what the app keeps between requests; it is `Partial<V>` because a new session
 * starts empty. The object has no prototype, so keys like `__proto__` are plain data. `V` may be
 * any object type, an `interface` included (an interface has no index signature, so a
 * `Record<string, unknown>` bound would refuse it); the default is {@link SessionValues}.
 *
 * @example
 * ```ts
 * const session = await store.get<{ counter: number }>(req, 'sid')
 * session.values.counter = (session.values.counter ?? 0) + 1
 * await session.save(req, res)
 * ```
 */
export class Session<V extends object = SessionValues> {
  /** The id, empty until the first save of a new session. Never shown in errors or events. */
  id: string
  /** The cookie name this session travels under. */
  readonly name: string
  /** The values; a null-prototype object. */
  values: Partial<V>
  /** This session's own cookie options (a copy of the store's). */
  options: CookieOptions
  /** True until the session has been loaded from, or saved to, the store. */
  isNew: boolean
  /**
   * Why the request's cookie was not used (tampered, expired, other keys), or `undefined`. The
   * session is then new; `error.kind` is `'decode'`.
   */
  error: PgStoreError | undefined
  /** The owner (user id) this session belongs to, for listing and revoking; `undefined` if none. */
  owner: string | undefined
  /** The store this session belongs to. */
  readonly store: SessionSaver
  #binding: { req: unknown; res: unknown } | undefined

  constructor(store: SessionSaver, name: string, options: CookieOptions) {
    this.store = store
    this.name = name
    this.id = ''
    this.values = Object.create(null) as Partial<V>
    this.options = { ...options }
    this.isNew = true
    this.error = undefined
    this.owner = undefined
  }

  /** Adds a flash message under `key` (default `'_flash'`), shown once by {@link flashes}. */
  addFlash(value: unknown, key: string = defaultFlashKey): void {
    addFlash(this.values as SessionValues, value, key)
  }

  /** Returns the flashes under `key` (default `'_flash'`) and removes them. */
  flashes<T = unknown>(key: string = defaultFlashKey): T[] {
    return takeFlashes(this.values as SessionValues, key) as T[]
  }

  /**
   * Saves through the store. Pass `req` and `res` as for `store.save`; inside an adapter the
   * session already knows them and `save()` needs no arguments.
   */
  save(req?: unknown, res?: unknown): Promise<void> {
    const target = req === undefined ? this.#binding : { req, res }
    if (!target) {
      return Promise.reject(
        new UsageError(
          'ERR_INVALID_SESSION',
          'session.save() needs (req, res) outside an adapter that binds the session',
        ),
      )
    }
    return this.store.save(target.req, target.res, this as unknown as Session<SessionValues>)
  }

  /** Lets `save()` run without arguments; adapters call it with the request and response. */
  bind(req: unknown, res: unknown): this {
    this.#binding = { req, res }
    return this
  }
}
