/**
 * @module A benchmark server process: runs ONE variant, so the variants never share a CPU with
 * each other. Driven by its parent over IPC:
 * - `{ cmd: 'start', reset }` starts a fresh app and pool (after `setup` when `reset`), closing
 *   the previous one first, and answers `{ port, served }`: what the previous app served.
 * - `{ cmd: 'stop' }` closes the app, answers `{ served }` and exits.
 *
 * Restarting the app ends its pool, so PostgreSQL publishes the statement counts of its
 * connections, and each app's request counts cover exactly one measurement.
 *
 * Run by `bench/servers.ts`: `node --import tsx bench/server-child.ts <variant>`, with
 * `BENCH_URL` and `BENCH_SCHEMA` set.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { findVariant } from './variants/index.ts'
import { openedConnections } from './variants/shared.ts'
import type { Place, RunningApp, Secrets } from './variants/types.ts'

/** What one app instance served, counted on the server as responses finished. */
export interface Served {
  /** Requests received. */
  requests: number
  /** `/incr` responses finished with a 2xx status: increments the client was told happened. */
  increments: number
  /** Responses with a status of 400 or more. */
  failures: number
  /** CPU time of this process (user + system) while the app ran, in microseconds. */
  cpuMicros: number
  /** Database connections the app opened (each costs PostgreSQL one start-up transaction). */
  connections: number
}

/** A message from the parent. */
export type ChildCommand = { cmd: 'start'; reset: boolean } | { cmd: 'stop' }

/** An answer to the parent. */
export type ChildReply =
  | { ok: true; port: number; served: Served | null }
  | { ok: false; error: string }

const name = process.argv[2] ?? ''
const place: Place = { url: process.env.BENCH_URL ?? '', schema: process.env.BENCH_SCHEMA ?? '' }
const secrets: Secrets = {
  hashKey: randomBytes(64),
  blockKey: randomBytes(32),
  secret: randomBytes(32).toString('hex'),
}
const variant = await findVariant(name).load()

let app: RunningApp | undefined
const fresh = (): Served => ({
  requests: 0,
  increments: 0,
  failures: 0,
  cpuMicros: 0,
  connections: 0,
})
let served: Served = fresh()
let cpuAtStart = process.cpuUsage()
let connectionsAtStart = 0

function count(req: IncomingMessage, res: ServerResponse, into: Served): void {
  into.requests++
  res.once('finish', () => {
    if (res.statusCode >= 400) into.failures++
    else if (res.statusCode < 300 && req.url === '/incr') into.increments++
  })
}

async function closeApp(): Promise<Served | null> {
  if (!app) return null
  await app.close()
  app = undefined
  const cpu = process.cpuUsage(cpuAtStart)
  served.cpuMicros = cpu.user + cpu.system
  served.connections = openedConnections() - connectionsAtStart
  return served
}

async function handle(command: ChildCommand): Promise<ChildReply> {
  if (command.cmd === 'stop') {
    const previous = await closeApp()
    return { ok: true, port: 0, served: previous }
  }
  const previous = await closeApp()
  if (command.reset) await variant.setup(place)
  const current = fresh()
  app = await variant.start(place, secrets)
  served = current
  cpuAtStart = process.cpuUsage()
  connectionsAtStart = openedConnections()
  app.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
    count(req, res, current),
  )
  return { ok: true, port: app.port, served: previous }
}

process.on('message', (command: ChildCommand) => {
  handle(command)
    .catch((error: unknown): ChildReply => ({ ok: false, error: String(error) }))
    .then((reply) => {
      process.send?.(reply)
      if (command.cmd === 'stop') process.disconnect()
    })
})
