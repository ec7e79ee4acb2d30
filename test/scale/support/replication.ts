/**
 * @module A streaming standby of a throw-away primary (test/faults/support/cluster.ts): taken with
 * `pg_basebackup -R` from `sourcePort` (the primary, or a proxy in front of it so a test can stall
 * replication), started on a kernel-picked loopback port, promoted with `pg_ctl promote`.
 */
import { execFile, execFileSync } from 'node:child_process'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { binDir, freePort } from '../../faults/support/cluster.ts'

const run = promisify(execFile)
const asRoot = process.getuid?.() === 0

/** A running standby. */
export interface Standby {
  readonly port: number
  /** `pg_ctl promote -w`: resolves once the standby is a primary accepting writes. */
  promote(): Promise<void>
  /** Stops it (immediate) and deletes its folder. Idempotent. */
  destroy(): Promise<void>
}

async function pgRun(command: string, args: string[]): Promise<string> {
  const file = path.join(binDir(), command)
  const [exe, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]
  const { stdout } = await run(exe, argv, { timeout: 120_000, cwd: tmpdir() })
  return stdout
}

/** Takes a base backup from `sourcePort` and starts it as a standby. */
export async function startStandby(sourcePort: number): Promise<Standby> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pgstore-standby-'))
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    await chown(dir, uid, gid)
  }
  const data = path.join(dir, 'data')
  const port = await freePort()
  await pgRun('pg_basebackup', [
    ...['-h', '127.0.0.1', '-p', String(sourcePort), '-U', 'postgres', '-D', data],
    ...['-R', '-X', 'stream', '--no-sync', '-c', 'fast'],
  ])
  const options = `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}`
  const ctl = (...args: string[]) => pgRun('pg_ctl', ['-D', data, ...args])
  await ctl('-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', options, 'start')
  let destroyed: Promise<void> | undefined
  const destroy = () =>
    (destroyed ??= (async () => {
      await ctl('-w', '-m', 'immediate', 'stop').catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    })())
  process.once('exit', () => {
    if (destroyed) return
    try {
      const file = path.join(binDir(), 'pg_ctl')
      const args = ['-D', data, '-m', 'immediate', 'stop']
      execFileSync(
        asRoot ? 'runuser' : file,
        asRoot ? ['-u', 'postgres', '--', file, ...args] : args,
        {
          stdio: 'ignore',
          timeout: 10_000,
        },
      )
    } catch {}
  })
  return {
    port,
    promote: async () => {
      await ctl('-w', '-t', '60', 'promote')
    },
    destroy,
  }
}

/** Waits until every standby of the primary at `port` has replayed all WAL written so far. */
export async function waitCaughtUp(port: number, timeoutMs = 30_000): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  client.on('error', () => undefined)
  await client.connect()
  try {
    const started = Date.now()
    for (;;) {
      const result = await client.query(
        `SELECT count(*)::int AS behind FROM pg_stat_replication
         WHERE replay_lsn IS NULL OR replay_lsn < pg_current_wal_lsn()`,
      )
      const connected = await client.query('SELECT count(*)::int AS n FROM pg_stat_replication')
      if (result.rows[0].behind === 0 && connected.rows[0].n > 0) return
      if (Date.now() - started > timeoutMs) throw new Error('standby did not catch up')
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}
