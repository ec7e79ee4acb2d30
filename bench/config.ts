/**
 * @module What one `npm run bench` does, from flags and environment variables.
 *
 * - `--quick`: a smoke run, about 1 s per measurement, one round, small tables.
 * - `BENCH_DURATION`: seconds measured per variant and workload. Default `10` (`1` with --quick).
 * - `BENCH_WARMUP`: seconds of warm-up before each measurement. Default `3` (`1` with --quick).
 * - `BENCH_ROUNDS`: how many times the variants are run, interleaved. Default `2` (`1` with --quick).
 * - `BENCH_CODEC_ROUNDS`: codec and Go benchmark runs, alternated. Default `3` (`1` with --quick).
 * - `BENCH_BIG=1`: the big table for the get-latency case has 10 million rows instead of 1 million.
 * - `BENCH_ONLY`: comma-separated variant names to run (others are left out of the table).
 * - `BENCH_SECTIONS`: comma-separated sections among `codec,go,http,latency,cleanup`. Default all.
 * - `BENCH_PROF=1`: servers run with `node --cpu-prof`, profiles written to the OS temp folder.
 * - `DATABASE_URL`: the server to use (a database `pgstore_bench` is created next to it); by
 *   default the local server, or an embedded one, as for the tests.
 */

/** The resolved settings of a run. */
export interface BenchConfig {
  quick: boolean
  warmupSec: number
  durationSec: number
  rounds: number
  /** HTTP load: autocannon connections. */
  connections: number
  /** Sessions created before the read-only and modifying workloads. */
  sessions: number
  /** Row counts for the get-latency case: the small one, then the big one. */
  latencySizes: [number, number]
  /** Expired rows deleted in the cleanup-under-traffic case. */
  cleanupRows: number
  /** Time per codec case, in milliseconds. */
  codecMs: number
  /** Codec and Go runs, alternated (`BENCH_CODEC_ROUNDS`). Default 3 (1 with --quick). */
  codecRounds: number
  only: string[] | undefined
  sections: Set<Section>
  profile: boolean
}

/** The parts of a run, in the order they run. */
export type Section = 'codec' | 'go' | 'http' | 'latency' | 'cleanup'

const allSections: readonly Section[] = ['codec', 'go', 'http', 'latency', 'cleanup']

function positive(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}

function list(name: string): string[] | undefined {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/** Reads the settings from `argv` and `env` (see the module comment). */
export function readConfig(argv: readonly string[] = process.argv.slice(2)): BenchConfig {
  const quick = argv.includes('--quick')
  const big = process.env.BENCH_BIG === '1'
  const sections = list('BENCH_SECTIONS') ?? allSections
  for (const section of sections) {
    if (!allSections.includes(section as Section)) {
      throw new Error(`BENCH_SECTIONS: unknown section ${section}`)
    }
  }
  return {
    quick,
    warmupSec: positive('BENCH_WARMUP', quick ? 1 : 3),
    durationSec: positive('BENCH_DURATION', quick ? 1 : 10),
    rounds: Math.round(positive('BENCH_ROUNDS', quick ? 1 : 2)),
    connections: 20,
    sessions: 1000,
    latencySizes: quick ? [10_000, 100_000] : [10_000, big ? 10_000_000 : 1_000_000],
    cleanupRows: quick ? 100_000 : 1_000_000,
    codecMs: quick ? 200 : 1000,
    codecRounds: Math.round(positive('BENCH_CODEC_ROUNDS', quick ? 1 : 3)),
    only: list('BENCH_ONLY'),
    sections: new Set(sections as Section[]),
    profile: process.env.BENCH_PROF === '1',
  }
}
