/**
 * @module Pieces every variant uses: the pool, listening, and closing without waiting for
 * keep-alive connections.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import type { Place, RunningApp } from './types.ts'

let connectionsOpened = 0

/**
 * Connections opened so far by every {@link benchPool} of this process. PostgreSQL counts one
 * transaction for each new connection (its start-up reads the catalogs in one), so the runner
 * subtracts them from the statement count.
 */
export function openedConnections(): number {
  return connectionsOpened
}

/** The one pool shape used everywhere: at most 10 connections, bound to the variant's schema. */
export function benchPool(place: Place): pg.Pool {
  const pool = new pg.Pool({
    connectionString: place.url,
    max: 10,
    options: `-c search_path=${place.schema}`,
  })
  pool.on('error', () => undefined)
  pool.on('connect', () => {
    connectionsOpened++
  })
  return pool
}

/** Runs `sql` on a short-lived pool (setup work). */
export async function runSql(place: Place, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: place.url })
  await client.connect()
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${place.schema}`)
    await client.query(`SET search_path = ${place.schema}`)
    for (const sql of statements) await client.query(sql)
  } finally {
    await client.end()
  }
}

/** Listens on a free port of 127.0.0.1. */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

/** A {@link RunningApp} for a node:http server and the pool (or store) behind it. */
export function running(server: Server, port: number, end: () => Promise<void>): RunningApp {
  return {
    server,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
      await end()
    },
  }
}

/** The counter of a session's values, 0 when missing. */
export function counterOf(values: { counter?: unknown } | undefined): number {
  const value = values?.counter
  return typeof value === 'number' ? value : 0
}

/** A Fastify instance, as far as {@link runningFastify} needs it. */
interface FastifyLike {
  server: Server
  listen(options: { port: number; host: string }): Promise<unknown>
  close(): Promise<unknown>
}

/** Listens a Fastify app on a free port of 127.0.0.1; `close` ends the app, then `end()`. */
export async function runningFastify(
  app: FastifyLike,
  end: () => Promise<void>,
): Promise<RunningApp> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    server: app.server,
    port: (app.server.address() as AddressInfo).port,
    async close() {
      app.server.closeAllConnections()
      await app.close()
      await end()
    },
  }
}
