/**
 * @module Starts the demo: a database (yours or an embedded one), a PGStore on it, and a node:http
 * server. `startDemo` is what `main.ts` runs and what the browser test starts in-process.
 */
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type DatabaseSource,
  type ResolvedDatabase,
  resolveDatabase,
} from '../../scripts/local-postgres.ts'
import { generateRandomKey, newPGStore, type PGStore } from '../../src/index.ts'
import { createHandler } from './routes.ts'

/** Options of {@link startDemo}; every one is optional. */
export interface DemoOptions {
  /** Port to listen on; `0` picks a free one. Default `3000`. */
  port?: number
  /** Address to listen on. Default `'127.0.0.1'`. */
  host?: string
  /**
   * The PostgreSQL to keep sessions in. Default: none, and an embedded server is started in a
   * temporary folder and deleted on `close()` (the machine's own server is never used unasked).
   */
  databaseUrl?: string | undefined
  /** Schema of the sessions table, created when missing. Default: the connection's search path. */
  schema?: string | undefined
  /** HMAC key (32 or 64 bytes). Default: a fresh random key, so cookies die with the process. */
  hashKey?: Uint8Array | undefined
  /** AES key (16, 24 or 32 bytes). Default: a fresh random 32-byte key. */
  blockKey?: Uint8Array | undefined
  /** Where failed requests are reported, one line each. Default: `console.error`. */
  log?: (line: string) => void
}

/** A running demo. */
export interface Demo {
  /** The address to open, e.g. `http://127.0.0.1:3000`. */
  url: string
  /** Where the database came from: `env` (a URL was given) or `embedded`. */
  database: DatabaseSource
  /** The store, for tests that look behind the pages. */
  store: PGStore
  /** Stops the server (open connections too), the store, and an embedded database. Idempotent. */
  close(): Promise<void>
}

/**
 * Starts the demo and resolves once it accepts requests.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ port: 0, databaseUrl: process.env.DATABASE_URL })
 * console.log(demo.url)
 * await demo.close()
 * ```
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? ((line: string) => console.error(line))
  const css = await readFile(new URL('./style.css', import.meta.url), 'utf8')
  const db = await resolveDatabase({
    skipLocal: true,
    env: { DATABASE_URL: options.databaseUrl },
    log,
  })
  let store: PGStore | undefined
  try {
    store = await newPGStore(
      db.url,
      options.hashKey ?? generateRandomKey(64),
      options.blockKey ?? generateRandomKey(32),
      {
        schema: options.schema,
        // The demo runs on plain http://localhost, where a Secure cookie would never come back.
        // Production keeps the default `secure: true`; HttpOnly and SameSite=Lax are defaults too.
        cookie: { secure: false },
      },
    )
    // Expired rows are invisible anyway (expiry is in every query); this only keeps the table small.
    store.cleanup()
    const server = http.createServer(createHandler(store, css, log))
    const url = await listen(server, options.port ?? 3000, options.host ?? '127.0.0.1')
    return { url, database: db.source, store, close: once(() => shutdown(server, store!, db)) }
  } catch (error) {
    await store?.close().catch(() => undefined)
    await db.stop().catch(() => undefined)
    throw error
  }
}

/** How long requests in flight may take to finish at shutdown. */
const GRACE_MS = 1000

function listen(server: http.Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.removeListener('error', reject)
      const { address, port: bound } = server.address() as AddressInfo
      resolve(`http://${address.includes(':') ? `[${address}]` : address}:${bound}`)
    })
  })
}

async function shutdown(server: http.Server, store: PGStore, db: ResolvedDatabase): Promise<void> {
  // Browsers keep idle keep-alive connections open: close those now, give requests in flight a
  // moment to finish (they still need the store), then cut whatever is left.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const cut = setTimeout(() => server.closeAllConnections(), GRACE_MS)
  await closed
  clearTimeout(cut)
  await store.close()
  await db.stop()
}

function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  return () => (running ??= run())
}
