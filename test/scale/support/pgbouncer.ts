/**
 * @module A throw-away PgBouncer (Debian's `pgbouncer`) in front of one server, on a kernel-picked
 * loopback port, with PgBouncer's defaults for everything but where it listens, the pool mode and
 * trust authentication. PgBouncer refuses to run as root, so as root it runs as the `postgres` OS
 * user. Stopped (SIGTERM to its pid, then the folder removed) by `stop()` or at process exit.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { freePort } from '../../faults/support/cluster.ts'

/** A running PgBouncer. */
export interface Bouncer {
  readonly port: number
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string
  /** One statement on PgBouncer's admin console (`SHOW POOLS`, ...), as plain rows. */
  admin(command: string): Promise<Record<string, unknown>[]>
  /** Stops PgBouncer and removes its folder. Idempotent. */
  stop(): Promise<void>
}

const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((file) => existsSync(file))

/** True when Debian's pgbouncer is installed. */
export const hasPgBouncer = binary !== undefined

const asRoot = process.getuid?.() === 0

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim())
  return { uid: id('-u'), gid: id('-g') }
}

/**
 * Starts PgBouncer for `serverPort` in `mode`. `settings` add lines to `[pgbouncer]` (for a test
 * that needs a small pool); none are needed for pgstore to work.
 */
export async function startPgBouncer(
  serverPort: number,
  mode: 'transaction' | 'session',
  settings: Record<string, string> = {},
): Promise<Bouncer> {
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install pgbouncer)')
  const dir = await mkdtemp(path.join(tmpdir(), 'pgstore-bouncer-'))
  const port = await freePort()
  const pidfile = path.join(dir, 'pgbouncer.pid')
  const lines = [
    '[databases]',
    `* = host=127.0.0.1 port=${serverPort}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    "unix_socket_dir = ''",
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'users.txt')}`,
    'admin_users = postgres',
    `pool_mode = ${mode}`,
    `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    `pidfile = ${pidfile}`,
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
  ]
  await writeFile(path.join(dir, 'pgbouncer.ini'), `${lines.join('\n')}\n`)
  await writeFile(path.join(dir, 'users.txt'), '"postgres" ""\n')
  if (asRoot) {
    const { uid, gid } = postgresIds()
    for (const f of [dir, 'pgbouncer.ini', 'users.txt'])
      await chown(f === dir ? dir : path.join(dir, f), uid, gid)
  }
  const ini = path.join(dir, 'pgbouncer.ini')
  const [exe, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', binary, '-d', ini]]
    : [binary, ['-d', ini]]
  await new Promise<void>((resolve, reject) => {
    const child = spawn(exe, argv, { stdio: 'ignore' })
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`pgbouncer exited ${code}`)),
    )
  })
  let pid = 0
  for (let i = 0; i < 100 && pid === 0; i++) {
    pid = Number((await readFile(pidfile, 'utf8').catch(() => '')).trim()) || 0
    if (pid === 0) await new Promise((r) => setTimeout(r, 50))
  }
  if (pid === 0) throw new Error('pgbouncer did not write its pid file')
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  let stopped: Promise<void> | undefined
  const kill = () => {
    try {
      process.kill(pid, 'SIGTERM')
    } catch {}
  }
  process.once('exit', kill)
  return {
    port,
    url,
    admin: async (command) => {
      const client = new pg.Client({ connectionString: url.replace(/postgres$/, 'pgbouncer') })
      client.on('error', () => undefined)
      await client.connect()
      try {
        // The admin console speaks only the simple protocol.
        const result = await client.query({ text: command, rowMode: 'array' as never })
        return result.rows.map((row: unknown) =>
          Object.fromEntries(result.fields.map((f, i) => [f.name, (row as unknown[])[i]])),
        )
      } finally {
        await client.end().catch(() => undefined)
      }
    },
    stop: () =>
      (stopped ??= (async () => {
        process.removeListener('exit', kill)
        kill()
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(pid, 0)
          } catch {
            break
          }
          await new Promise((r) => setTimeout(r, 50))
        }
        await rm(dir, { recursive: true, force: true })
      })()),
  }
}
