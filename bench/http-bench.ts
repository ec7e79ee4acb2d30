/**
 * @module The HTTP comparison: every variant under three workloads, variants interleaved (all of
 * round 1, then all of round 2, ...), each in its own server process.
 *
 * Per variant and round: start its server, collect `sessions` cookies from its own `/new` (and one
 * more for the contended workload), then per workload: warm up, restart the app (its pool ends,
 * so PostgreSQL publishes the warm-up's counts), read the transaction counter, measure, restart
 * again, read the counter. The difference over the requests the server received is the
 * statements per request (every statement outside a transaction block is one transaction).
 */
import type { BenchConfig } from './config.ts'
import type { BenchDatabase } from './database.ts'
import { collectCookies, readCounter, runLoad } from './load.ts'
import { startServer } from './servers.ts'
import type { VariantEntry } from './variants/index.ts'

/** The three workloads. */
export type Workload = 'read' | 'modify' | 'contended'

/** What each workload does, for the table. */
export const workloads: Record<Workload, string> = {
  read: 'read-only, 1,000 sessions',
  modify: 'modifying (counter++), 1,000 sessions',
  contended: 'modifying, all connections on one session',
}

/** One measurement of one variant, workload and round. */
export interface HttpMeasurement {
  variant: string
  workload: Workload
  round: number
  rps: number
  p50: number
  p99: number
  /** Responses with an error status, plus connection errors. */
  failed: number
  /** Requests the server received during the measurement. */
  requests: number
  /**
   * Transactions of the benchmark database during the measurement, less one per connection the
   * pool opened (PostgreSQL's connection start-up is a transaction): the statements sent.
   */
  transactions: number
  /** CPU time the server process used during the measurement, in microseconds. */
  cpuMicros: number
  /** Contended workload: increments answered 2xx minus the counter's growth; else `undefined`. */
  lostUpdates: number | undefined
}

/** The schema a variant keeps its rows in. */
export function schemaOf(variant: string): string {
  return `bench_${variant.replaceAll('-', '_')}`
}

async function measureVariant(
  entry: VariantEntry,
  round: number,
  config: BenchConfig,
  db: BenchDatabase,
  log: (line: string) => void,
): Promise<HttpMeasurement[]> {
  const server = await startServer(entry.name, {
    url: db.url,
    schema: schemaOf(entry.name),
    profile: config.profile,
  })
  const results: HttpMeasurement[] = []
  try {
    const cookies = await collectCookies(server.port, '/new', config.sessions)
    const single = await collectCookies(server.port, '/new', 1, 1)
    for (const workload of Object.keys(workloads) as Workload[]) {
      const path = workload === 'read' ? '/read' : '/incr'
      const load = {
        path,
        cookies: workload === 'contended' ? single : cookies,
        connections: config.connections,
      }
      await runLoad({ ...load, port: server.port, durationSec: config.warmupSec })
      const before = workload === 'contended' ? await readCounter(server.port, single[0]!) : 0
      await server.restart()
      const startCount = await db.transactions()
      const result = await runLoad({ ...load, port: server.port, durationSec: config.durationSec })
      const served = await server.restart()
      const endCount = await db.transactions()
      const after = workload === 'contended' ? await readCounter(server.port, single[0]!) : 0
      const measurement: HttpMeasurement = {
        variant: entry.name,
        workload,
        round,
        rps: result.rps,
        p50: result.p50,
        p99: result.p99,
        failed: result.failed,
        requests: served?.requests ?? 0,
        transactions: endCount - startCount - (served?.connections ?? 0),
        cpuMicros: served?.cpuMicros ?? 0,
        lostUpdates:
          workload === 'contended' ? (served?.increments ?? 0) - (after - before) : undefined,
      }
      results.push(measurement)
      log(
        `  ${entry.name.padEnd(22)} ${workload.padEnd(9)} ${Math.round(result.rps)
          .toString()
          .padStart(6)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  ` +
          `${(measurement.transactions / Math.max(1, measurement.requests)).toFixed(2)} stmt/req  ` +
          `${(measurement.cpuMicros / Math.max(1, measurement.requests)).toFixed(0)} µs cpu/req` +
          (measurement.lostUpdates === undefined ? '' : `  lost ${measurement.lostUpdates}`) +
          (result.failed > 0 ? `  FAILED ${result.failed}` : ''),
      )
    }
  } finally {
    await server.stop()
  }
  return results
}

/** Runs every variant `config.rounds` times, interleaved, and returns every measurement. */
export async function runHttpBench(
  entries: readonly VariantEntry[],
  config: BenchConfig,
  db: BenchDatabase,
  log: (line: string) => void,
): Promise<HttpMeasurement[]> {
  const all: HttpMeasurement[] = []
  for (let round = 1; round <= config.rounds; round++) {
    log(`round ${round} of ${config.rounds}`)
    for (const entry of entries) {
      all.push(...(await measureVariant(entry, round, config, db, log)))
    }
  }
  return all
}
