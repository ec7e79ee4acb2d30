/**
 * @module Typed session access for adapters whose framework cannot carry a type from the
 * middleware to the handler (Express, Fastify, Koa): the adapter instance remembers the sessions it
 * loaded, and its accessor returns `Session<V>` only for one of them. The `V` is the one given when
 * the adapter was built, so a handler cannot claim another shape for another middleware's session.
 */
import { UsageError } from '../errors.ts'
import type { Session } from '../session/session.ts'

/** The sessions one adapter instance loaded, weakly held (gone with their request). */
export class LoadedSessions<V extends object> {
  readonly #loaded = new WeakSet<object>()
  readonly #missing: string

  /** @param missing The message when a request has no session from this adapter. */
  constructor(missing: string) {
    this.#missing = missing
  }

  /** Records `session` as loaded by this adapter, and returns it. */
  add(session: Session<V>): Session<V> {
    this.#loaded.add(session)
    return session
  }

  /**
   * `candidate` as `Session<V>` when this adapter loaded it.
   *
   * @throws {UsageError} `ERR_INVALID_SESSION` otherwise (the adapter did not run for this request,
   *   or the session came from another adapter instance).
   */
  check(candidate: unknown): Session<V> {
    if (typeof candidate !== 'object' || candidate === null || !this.#loaded.has(candidate)) {
      throw new UsageError('ERR_INVALID_SESSION', this.#missing)
    }
    return candidate as Session<V>
  }
}
