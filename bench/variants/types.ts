/**
 * @module What every benchmark server variant provides. Each variant serves the same three routes
 * on 127.0.0.1, and answers `200` with the session's counter as the body:
 * - `GET /new`: a new session with `counter = 0` (its cookie is collected before the runs);
 * - `GET /read`: loads the session and changes nothing (the read-only workload);
 * - `GET /incr`: loads the session, increments `counter` and saves it (the modifying workloads).
 */
import type { Server } from 'node:http'

/** Secrets a server process keeps across restarts, so cookies issued before stay valid. */
export interface Secrets {
  /** 64 bytes: HMAC-SHA256 key. */
  hashKey: Uint8Array
  /** 32 bytes: AES-256 key. */
  blockKey: Uint8Array
  /** For express-session and @fastify/session (a 64-character hex string). */
  secret: string
}

/** Where a variant keeps its rows: one schema per variant, inside the benchmark database. */
export interface Place {
  /** URL of the benchmark database. */
  url: string
  /** The variant's own schema (a plain lowercase identifier). */
  schema: string
}

/** A listening server and how to stop it, pool included. */
export interface RunningApp {
  server: Server
  port: number
  /** Stops accepting requests, drops open connections and ends the database pool. */
  close(): Promise<void>
}

/** A benchmark server variant. */
export interface Variant {
  /** Short name, for `BENCH_ONLY` and the table. */
  name: string
  /** What it is, as shown in RESULTS.md. */
  label: string
  /** Creates its table when missing and empties it; runs once per server process. */
  setup(place: Place): Promise<void>
  /** Starts a fresh app with a fresh pool (at most 10 connections). */
  start(place: Place, secrets: Secrets): Promise<RunningApp>
}
