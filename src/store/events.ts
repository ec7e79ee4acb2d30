/**
 * @module Typed store events, for logs and metrics. Payloads carry names, codes, counts and
 * durations: never an id, a cookie, a key or a value. Emitting costs one map lookup when nobody
 * listens.
 */
import { EventEmitter } from 'node:events'
import type { ErrorCode, PgStoreError } from '../errors.ts'

/** Every event a store emits, with its payload. */
export interface StoreEvents {
  /** A new session was written for the first time. */
  created: [{ name: string }]
  /** A request's cookie found its session. */
  loaded: [{ name: string }]
  /** No session was found: no cookie, or no live row for the id (expired, revoked, unknown). */
  miss: [{ name: string; reason: 'no-cookie' | 'no-row' }]
  /** A cookie (or a row) failed to decode; the request gets a new session. */
  decodeFailed: [{ name: string; code: ErrorCode }]
  /** A changed session was written. */
  saved: [{ name: string }]
  /** An unchanged session's expiry was extended (`touchAfter` had passed). */
  touched: [{ name: string }]
  /** A save found nothing to write. */
  writeSkipped: [{ name: string }]
  /** A session got a new id; the old row is gone. */
  renewed: [{ name: string }]
  /** A session was deleted (destroy, `maxAge < 0`, or revoke). */
  destroyed: [{ name: string; count: number }]
  /** One cleanup pass finished. `locked` is false when another process held the cleanup lock. */
  cleanup: [
    {
      deleted: number
      batches: number
      durationMs: number
      longestBatchMs: number
      locked: boolean
    },
  ]
  /**
   * A pooler rejected a prepared statement (`42P05` or `26000`: PgBouncer in transaction mode), so
   * the store now sends unnamed statements. Emitted once per store, with `preparedStatements: 'auto'`.
   */
  preparedStatementsOff: [{ sqlState: string }]
  /**
   * A store built from a multi-host URL moved to another server (`host:port`), because the one it
   * used turned read-only or unreachable. `ms`: from the first failure to the new server found.
   */
  failover: [{ from: string; to: string; ms: number }]
  /** A background failure (cleanup) that no caller could receive. */
  error: [PgStoreError]
}

/** An EventEmitter typed with {@link StoreEvents}. */
export class StoreEventEmitter extends EventEmitter<StoreEvents> {
  /** Emits only when someone listens; `error` without a listener is dropped, never thrown. */
  notify<K extends keyof StoreEvents>(event: K, ...args: StoreEvents[K]): void {
    if (this.listenerCount(event) === 0) return
    ;(this.emit as (name: string, ...payload: unknown[]) => boolean)(event, ...args)
  }
}
