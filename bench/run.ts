/**
 * @module `npm run bench`: every section in turn, then bench/RESULTS.md. See `config.ts` for the
 * flags and environment variables. Not part of `npm test`.
 */
import { writeFileSync } from 'node:fs'
import { runCleanupBench } from './cleanup-bench.ts'
import { readConfig } from './config.ts'
import { openBenchDatabase } from './database.ts'
import { type GoResult, medianGo, runGoBench } from './go-bench.ts'
import { runHttpBench } from './http-bench.ts'
import { runLatencyBench } from './latency-bench.ts'
import { describeMachine } from './machine.ts'
import { type PooledRow, pooledMarkdown, runPooledBench } from './pooled-bench.ts'
import {
  type CodecRow,
  httpTable,
  medianCodec,
  type RunResults,
  renderResults,
  summarizeHttp,
} from './report.ts'
import { isAvailable, variants } from './variants/index.ts'

const log = (line: string) => console.log(line)
const config = readConfig()
const resultsPath = new URL('./RESULTS.md', import.meta.url)
const db = await openBenchDatabase()
const entries = variants.filter(
  (v) => isAvailable(v) && (config.only === undefined || config.only.includes(v.name)),
)
for (const v of variants) if (!isAvailable(v)) log(`skipped ${v.name}: ${v.needs} is missing`)

const results: RunResults = {
  config,
  machine: describeMachine(db.serverVersion),
  started: new Date(),
  entries,
  http: undefined,
  codec: undefined,
  go: undefined,
  latency: undefined,
  cleanup: undefined,
}

let pooled: PooledRow[] | undefined
// RESULTS.md is rewritten after every section, so a run cut short keeps what it measured.
const save = () =>
  writeFileSync(resultsPath, renderResults(results, resultsPath) + pooledMarkdown(pooled))

try {
  // Codec and Go alternate, round by round (node, Go, node, Go, ...), so both see the same load
  // on this shared machine; each case's figure is its median over the rounds.
  const codecRounds: CodecRow[][] = []
  const goRounds: GoResult[] = []
  for (let round = 1; round <= config.codecRounds; round++) {
    if (config.sections.has('codec') && !(results.codec && 'error' in results.codec)) {
      log(`codec, round ${round} of ${config.codecRounds}`)
      try {
        // Lazy: bench/codec.ts belongs to the codec work and may change on its own schedule.
        const { runCodecBench } = (await import('./codec.ts')) as {
          runCodecBench(durationMs?: number): Promise<CodecRow[]>
        }
        const rows = await runCodecBench(config.codecMs)
        codecRounds.push(rows)
        results.codec = medianCodec(codecRounds)
        for (const row of rows) log(`  ${row.name.padEnd(24)} ${row.usPerOp} µs/op`)
      } catch (error) {
        results.codec = { error: String(error) }
        log(`  codec bench unavailable: ${String(error)}`)
      }
    }
    if (config.sections.has('go') && (results.go === undefined || results.go.ok)) {
      log(`go, round ${round} of ${config.codecRounds}`)
      const go = runGoBench(config.quick ? '200ms' : '1s')
      if (go.ok) goRounds.push(go)
      results.go = go.ok ? medianGo(goRounds) : go
      log(go.ok ? `  ${go.nsPerOp.size} cases` : `  ${go.why}`)
    }
  }
  save()
  if (config.sections.has('http')) {
    log(`http: ${entries.map((e) => e.name).join(', ')}`)
    results.http = await runHttpBench(entries, config, db, log)
    log(httpTable(summarizeHttp(results.http, entries)))
    save()
  }
  if (config.sections.has('latency')) {
    log('get latency')
    results.latency = await runLatencyBench(
      db.url,
      config.latencySizes,
      config.quick ? 1000 : 10_000,
      log,
    )
    for (const r of results.latency) {
      log(`  ${r.rows} rows: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms`)
    }
    save()
  }
  if (config.sections.has('cleanup')) {
    log('cleanup under traffic')
    results.cleanup = await runCleanupBench(db.url, config, log)
    const c = results.cleanup
    log(
      `  p99 before ${c.before.p99.toFixed(2)} ms, during ${c.during.p99.toFixed(2)} ms; ` +
        `${c.report.deleted} rows, longest batch ${c.report.longestBatchMs.toFixed(1)} ms`,
    )
  }
  // ---- pooled (PgBouncer) ----
  if (process.env.BENCH_POOLED !== '0' && config.only === undefined) {
    log('through PgBouncer (transaction pooling) vs direct')
    pooled = await runPooledBench(db.url, config.durationSec, config.rounds, log)
  }
  // ---- end pooled ----
} finally {
  await db.close()
}

save()
log(`wrote ${resultsPath.pathname}`)
