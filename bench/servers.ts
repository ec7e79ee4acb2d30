/**
 * @module The parent's side of a server process (see `server-child.ts`): start one, restart its
 * app, stop it.
 */
import { type ChildProcess, fork } from 'node:child_process'
import os from 'node:os'
import type { ChildCommand, ChildReply, Served } from './server-child.ts'

/** A running server process. */
export interface ServerProcess {
  /** Port of the current app. */
  port: number
  /**
   * Replaces the app with a fresh one (pool included) and returns what the old one served.
   * `reset` first re-creates and empties the variant's table.
   */
  restart(reset?: boolean): Promise<Served | null>
  /** Closes the app, ends the process, and returns what the last app served. */
  stop(): Promise<Served | null>
}

/** Where the server processes write CPU profiles when `BENCH_PROF=1`. */
export const profileDir: string = os.tmpdir()

function ask(child: ChildProcess, command: ChildCommand): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server exited with code ${code}`))
    child.once('exit', onExit)
    child.once('message', (reply: ChildReply) => {
      child.off('exit', onExit)
      resolve(reply)
    })
    child.send(command)
  })
}

/** Starts the server process of `variant` on the schema `schema`, with an empty table. */
export async function startServer(
  variant: string,
  options: { url: string; schema: string; profile: boolean },
): Promise<ServerProcess> {
  const execArgv = ['--import', 'tsx']
  if (options.profile) execArgv.push('--cpu-prof', '--cpu-prof-dir', profileDir)
  const child = fork(new URL('./server-child.ts', import.meta.url), [variant], {
    execArgv,
    env: { ...process.env, BENCH_URL: options.url, BENCH_SCHEMA: options.schema },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const call = async (command: ChildCommand) => {
    const reply = await ask(child, command)
    if (!reply.ok) throw new Error(`${variant}: ${reply.error}`)
    return reply
  }
  const first = await call({ cmd: 'start', reset: true })
  const handle: ServerProcess = {
    port: first.port,
    async restart(reset = false) {
      const reply = await call({ cmd: 'start', reset })
      handle.port = reply.port
      return reply.served
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const reply = await call({ cmd: 'stop' })
      await exited
      return reply.served
    },
  }
  return handle
}
