/**
 * @module A throw-away pg_auto_failover formation (Debian's `pg-auto-failover-cli` and
 * `postgresql-15-auto-failover`): a monitor and two nodes on kernel-picked loopback ports, trust
 * auth, no TLS, each `pg_autoctl ... --run` a process group of its own, run as the `postgres` OS
 * user when root. The monitor checks health every second so a dead primary is replaced in seconds,
 * not the default half minute. `destroy()` (and process exit) kills every group and removes the
 * folder.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, openSync, readFileSync } from 'node:fs'
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { binDir, freePort } from '../../faults/support/cluster.ts'

const run = promisify(execFile)
const asRoot = process.getuid?.() === 0

/** True when `pg_autoctl` is installed. */
export const hasAutoFailover = ['/usr/bin/pg_autoctl'].some((f) => existsSync(f))

/** One data node of the formation. */
export interface AutoNode {
  readonly name: string
  readonly port: number
  /** Kills its keeper (SIGKILL to the group) and its server (`pg_ctl stop -m immediate`). */
  kill(): Promise<void>
}

/** A running formation. */
export interface Formation {
  readonly nodes: readonly AutoNode[]
  /** `pg_autoctl show uri --formation default`: the multi-host URL, as handed out. */
  uri(): Promise<string>
  /** `pg_autoctl perform switchover`. */
  switchover(): Promise<void>
  /** The node whose server answers `transaction_read_only = off`, if any. */
  primary(): Promise<AutoNode | undefined>
  /** Waits until one node is primary and the other secondary, as the monitor sees it. */
  settled(timeoutMs?: number): Promise<void>
  destroy(): Promise<void>
}

/** Starts a monitor and two nodes; resolves when they are primary and secondary. */
export async function startFormation(): Promise<Formation> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pgstore-autofailover-'))
  for (const sub of ['cfg', 'share', 'run']) await mkdir(path.join(dir, sub))
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    for (const sub of ['', 'cfg', 'share', 'run']) await chown(path.join(dir, sub), uid, gid)
  }
  const env = {
    PATH: `${binDir()}:/usr/local/bin:/usr/bin:/bin`,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'cfg'),
    XDG_DATA_HOME: path.join(dir, 'share'),
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
  }
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`)
  const argvFor = (args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', 'env', ...envArgs, 'pg_autoctl', ...args]]
      : ['env', [...envArgs, 'pg_autoctl', ...args]]
  const autoctl = async (...args: string[]) => {
    const [exe, argv] = argvFor(args)
    return (await run(exe, argv, { timeout: 120_000, cwd: dir })).stdout
  }
  const children: ChildProcess[] = []
  const service = (args: string[]) => {
    const [exe, argv] = argvFor(args)
    const log = openSync(path.join(dir, `${children.length}.log`), 'a')
    const child = spawn(exe, argv, { cwd: dir, detached: true, stdio: ['ignore', log, log] })
    child.unref()
    children.push(child)
    return child
  }
  const killGroup = (child: ChildProcess) => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    } catch {}
  }
  const ctlStop = (data: string) => {
    const file = path.join(binDir(), 'pg_ctl')
    const args = ['-D', data, '-m', 'immediate', 'stop']
    try {
      execFileSync(
        asRoot ? 'runuser' : file,
        asRoot ? ['-u', 'postgres', '--', file, ...args] : args,
        {
          stdio: 'ignore',
          timeout: 20_000,
        },
      )
    } catch {}
  }
  const datas = ['monitor', 'node1', 'node2'].map((n) => path.join(dir, n))
  let destroyed = false
  const killAll = () => {
    if (destroyed) return
    destroyed = true
    for (const child of children) killGroup(child)
    for (const data of datas) if (existsSync(data)) ctlStop(data)
  }
  process.once('exit', killAll)

  const common = ['--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl', '--run']
  const nodes: AutoNode[] = []
  async function setUp(): Promise<void> {
    const monitorPort = await freePort()
    service([
      ...['create', 'monitor', '--pgdata', datas[0] as string, '--pgport', String(monitorPort)],
      ...common,
    ])
    const monitorUrl = `postgres://autoctl_node@127.0.0.1:${monitorPort}/pg_auto_failover`
    await until(async () => {
      const client = new pg.Client({ connectionString: monitorUrl, connectionTimeoutMillis: 1000 })
      client.on('error', () => undefined)
      try {
        await client.connect()
        await client.query('SELECT count(*) FROM pgautofailover.node')
        return true
      } catch {
        return false
      } finally {
        await client.end().catch(() => undefined)
      }
    }, 120_000)
    // Health checks every second, a node unhealthy after 3 s (defaults: 5 s and 20 s).
    const tune = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${monitorPort}/pg_auto_failover`,
    })
    tune.on('error', () => undefined)
    await tune.connect()
    for (const [name, value] of [
      ['health_check_period', '1000'],
      ['health_check_timeout', '1000'],
      ['health_check_max_retries', '1'],
      ['health_check_retry_delay', '500'],
      ['node_considered_unhealthy_timeout', '3000'],
    ])
      await tune.query(`ALTER SYSTEM SET pgautofailover.${name} = ${value}`)
    await tune.query('SELECT pg_reload_conf()')
    await tune.end()

    for (const name of ['node1', 'node2']) {
      const port = await freePort()
      const data = path.join(dir, name)
      const child = service([
        ...['create', 'postgres', '--pgdata', data, '--pgport', String(port), '--name', name],
        ...['--monitor', monitorUrl, ...common],
      ])
      nodes.push({
        name,
        port,
        kill: async () => {
          killGroup(child)
          ctlStop(data)
        },
      })
      // The second node clones the first: let the first become primary alone.
      if (name === 'node1') await until(async () => (await readOnly(port)) === false, 120_000)
    }
  }
  try {
    await setUp()
  } catch (error) {
    killAll()
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  const monitorData = datas[0] as string
  const formation: Formation = {
    nodes,
    uri: async () =>
      (await autoctl('show', 'uri', '--pgdata', monitorData, '--formation', 'default')).trim(),
    switchover: async () => {
      await autoctl('perform', 'switchover', '--pgdata', monitorData)
    },
    primary: async () => {
      for (const node of nodes) if ((await readOnly(node.port)) === false) return node
      return undefined
    },
    settled: (timeoutMs = 120_000) =>
      until(async () => {
        const states = JSON.parse(
          await autoctl('show', 'state', '--pgdata', monitorData, '--json'),
        ) as Array<{ current_group_state: string; assigned_group_state: string }>
        const current = states.map((s) => s.current_group_state).sort()
        return (
          states.every((s) => s.current_group_state === s.assigned_group_state) &&
          current.join() === 'primary,secondary'
        )
      }, timeoutMs),
    destroy: async () => {
      killAll()
      process.removeListener('exit', killAll)
      await rm(dir, { recursive: true, force: true })
    },
  }
  try {
    await formation.settled()
  } catch (error) {
    for (const i of [0, 1, 2]) {
      const log = readFileSync(path.join(dir, `${i}.log`), 'utf8')
        .split('\n')
        .slice(-12)
      console.log(`# pg_autoctl service ${i}:\n${log.map((l) => `#   ${l}`).join('\n')}`)
    }
    await formation.destroy()
    throw error
  }
  return formation
}

/** `SHOW transaction_read_only` on a node: true, false, or undefined when it does not answer. */
export async function readOnly(port: number): Promise<boolean | undefined> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 1000,
    query_timeout: 1000,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    const result = await client.query('SHOW transaction_read_only')
    return result.rows[0].transaction_read_only === 'on'
  } catch {
    return undefined
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now()
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error('pg_auto_failover did not settle in time')
    await new Promise((r) => setTimeout(r, 250))
  }
}
