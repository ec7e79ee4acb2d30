/**
 * @module Tables for the console and bench/RESULTS.md, and the targets of the issue checked
 * against the numbers of the same run.
 */
import { readFileSync } from 'node:fs'
import type { CleanupResult } from './cleanup-bench.ts'
import type { BenchConfig } from './config.ts'
import type { GoResult } from './go-bench.ts'
import { type HttpMeasurement, type Workload, workloads } from './http-bench.ts'
import type { LatencyRow } from './latency-bench.ts'
import { median } from './stats.ts'
import type { VariantEntry } from './variants/index.ts'

/** A codec row as `bench/codec.ts` reports it. */
export interface CodecRow {
  name: string
  opsPerSec: number
  usPerOp: number
}

/** Everything one run produced; a section left out is `undefined`. */
export interface RunResults {
  config: BenchConfig
  machine: string[]
  started: Date
  entries: readonly VariantEntry[]
  http: HttpMeasurement[] | undefined
  codec: CodecRow[] | { error: string } | undefined
  go: GoResult | undefined
  latency: LatencyRow[] | undefined
  cleanup: CleanupResult | undefined
}

/** One row of the HTTP summary: medians over rounds, pooled counts. */
export interface HttpSummary {
  variant: string
  label: string
  workload: Workload
  rps: number
  p50: number
  p99: number
  /** Over the floor of its own framework (node:http for the floors themselves). */
  ratio: number
  /** Over the node:http floor. */
  nodeRatio: number
  statements: number
  cpuPerRequest: number
  lost: number | undefined
  failed: number
  rounds: number
}

/** Per case, the median µs/op over the rounds (the rows of each round in the same order). */
export function medianCodec(rounds: readonly CodecRow[][]): CodecRow[] {
  const first = rounds[0] ?? []
  return first.map((row) => {
    const usPerOp = median(rounds.map((r) => r.find((x) => x.name === row.name)?.usPerOp ?? NaN))
    return { name: row.name, usPerOp, opsPerSec: Math.round(1e6 / usPerOp) }
  })
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–')

/** Summarises the HTTP measurements per workload and variant. */
export function summarizeHttp(
  measurements: readonly HttpMeasurement[],
  entries: readonly VariantEntry[],
): HttpSummary[] {
  const rows: HttpSummary[] = []
  for (const workload of Object.keys(workloads) as Workload[]) {
    const floorOf = (name: string) =>
      median(
        measurements.filter((m) => m.workload === workload && m.variant === name).map((m) => m.rps),
      )
    const nodeFloor = floorOf('floor')
    for (const entry of entries) {
      const floor = floorOf(entry.floor ?? 'floor')
      const mine = measurements.filter((m) => m.workload === workload && m.variant === entry.name)
      if (mine.length === 0) continue
      const requests = mine.reduce((sum, m) => sum + m.requests, 0)
      const rps = median(mine.map((m) => m.rps))
      const lost = mine.map((m) => m.lostUpdates).filter((n): n is number => n !== undefined)
      rows.push({
        variant: entry.name,
        label: entry.label,
        workload,
        rps,
        p50: median(mine.map((m) => m.p50)),
        p99: median(mine.map((m) => m.p99)),
        ratio: rps / floor,
        nodeRatio: rps / nodeFloor,
        statements: mine.reduce((sum, m) => sum + m.transactions, 0) / Math.max(1, requests),
        cpuPerRequest: mine.reduce((sum, m) => sum + m.cpuMicros, 0) / Math.max(1, requests),
        lost: lost.length > 0 ? median(lost) : undefined,
        failed: mine.reduce((sum, m) => sum + m.failed, 0),
        rounds: mine.length,
      })
    }
  }
  return rows
}

/** The HTTP summary as a markdown table. */
export function httpTable(rows: readonly HttpSummary[]): string {
  const lines = [
    '| workload | variant | req/s (median) | p50 ms | p99 ms | × own floor | × node:http floor | statements/req | server CPU µs/req | lost updates | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.workload} | ${row.label} | ${Math.round(row.rps).toLocaleString('en-US')} | ${fixed(
        row.p50,
      )} | ${fixed(row.p99)} | ${fixed(row.ratio)} | ${fixed(row.nodeRatio)} | ${fixed(
        row.statements,
      )} | ${fixed(
        row.cpuPerRequest,
        0,
      )} | ${row.lost === undefined ? '' : Math.round(row.lost)} | ${row.failed} |`,
    )
  }
  return lines.join('\n')
}

function codecTable(codec: CodecRow[], go: GoResult | undefined): string {
  const withGo = go?.ok === true
  const lines = withGo
    ? [
        '| case | ops/s | µs/op | Go ns/op (1 CPU) | our speed ÷ Go speed |',
        '| --- | ---: | ---: | ---: | ---: |',
      ]
    : ['| case | ops/s | µs/op |', '| --- | ---: | ---: |']
  for (const row of codec) {
    const goNs = withGo ? go.nsPerOp.get(row.name) : undefined
    const cells = [row.name, row.opsPerSec.toLocaleString('en-US'), fixed(row.usPerOp)]
    if (withGo) {
      cells.push(goNs === undefined ? '–' : fixed(goNs, 0))
      cells.push(goNs === undefined ? '–' : fixed(goNs / 1000 / row.usPerOp))
    }
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

/** A target line: its text, the measured figure, and whether it is met. */
interface Target {
  text: string
  measured: string
  met: boolean | undefined
}

function targets(results: RunResults, http: HttpSummary[]): Target[] {
  const out: Target[] = []
  const find = (variant: string, workload: Workload) =>
    http.find((r) => r.variant === variant && r.workload === workload)
  const adapters = http.filter((r) => r.variant.startsWith('pgstore-'))
  const entryOf = (variant: string) => results.entries.find((e) => e.name === variant)
  for (const workload of ['read', 'modify'] as const) {
    const floorText = workload === 'read' ? 'one-SELECT floor' : 'SELECT+UPDATE floor'
    for (const row of adapters.filter((r) => r.workload === workload)) {
      const floor = entryOf(row.variant)?.floor ?? 'floor'
      out.push({
        text: `${row.variant} ${workload} >= 0.90x its framework's ${floorText} (${floor})`,
        measured: `${fixed(row.ratio)}x`,
        met: row.ratio >= 0.9,
      })
    }
    const plain = find('pgstore-http', 'read')
    if (workload === 'read' && plain) {
      out.push({
        text: 'pgstore-http (store.get/save) read >= 0.95x the node:http floor',
        measured: `${fixed(plain.ratio)}x`,
        met: plain.ratio >= 0.95,
      })
    }
    const factor = workload === 'read' ? 2 : 1.3
    for (const row of adapters.filter((r) => r.workload === workload)) {
      const against = entryOf(row.variant)?.incumbent
      const incumbent = against === undefined ? undefined : find(against, workload)
      if (!incumbent) continue
      const times = row.rps / incumbent.rps
      out.push({
        text: `${row.variant} ${workload} >= ${factor}x ${incumbent.label} (same framework)`,
        measured: `${fixed(times)}x`,
        met: times >= factor,
      })
    }
  }
  for (const row of adapters) {
    if (row.workload === 'contended') continue
    const expected = row.workload === 'read' ? 1 : 2
    out.push({
      text: `${row.variant} ${row.workload}: ${expected} statement(s) per request (0 writes on reads)`,
      measured: fixed(row.statements),
      met: Math.abs(row.statements - expected) < 0.02,
    })
  }
  const [small, big] = results.latency ?? []
  if (small && big) {
    const ratio = big.p50 / small.p50
    out.push({
      text: `get p50 at ${big.rows.toLocaleString('en-US')} rows <= 1.1x p50 at ${small.rows.toLocaleString('en-US')}`,
      measured: `${fixed(ratio)}x (${fixed(big.p50, 3)} vs ${fixed(small.p50, 3)} ms)`,
      met: ratio <= 1.1,
    })
  }
  const cleanup = results.cleanup
  if (cleanup) {
    const ratio = cleanup.during.p99 / cleanup.before.p99
    out.push({
      text: `read p99 during a ${cleanup.expiredRows.toLocaleString('en-US')}-row cleanup <= 1.5x before`,
      measured: `${fixed(ratio)}x (${fixed(cleanup.during.p99)} vs ${fixed(cleanup.before.p99)} ms)`,
      met: ratio <= 1.5,
    })
    out.push({
      text: 'no cleanup batch over 100 ms',
      measured: `longest ${fixed(cleanup.report.longestBatchMs, 1)} ms`,
      met: cleanup.report.longestBatchMs <= 100,
    })
  }
  if (Array.isArray(results.codec) && results.go?.ok) {
    for (const row of results.codec) {
      const goNs = results.go.nsPerOp.get(row.name)
      if (goNs === undefined) continue
      out.push({
        text: `codec ${row.name} at least as fast per core as Go`,
        measured: `${fixed(goNs / 1000 / row.usPerOp)}x Go`,
        met: row.usPerOp * 1000 <= goNs,
      })
    }
  } else if (results.go && !results.go.ok) {
    out.push({
      text: 'codec at least as fast per core as Go',
      measured: results.go.why,
      met: undefined,
    })
  }
  return out
}

const commentaryMarker = '<!-- commentary: kept across runs -->'

function keptCommentary(path: URL): string {
  try {
    const text = readFileSync(path, 'utf8')
    const at = text.indexOf(commentaryMarker)
    return at === -1 ? '' : text.slice(at + commentaryMarker.length).trim()
  } catch {
    return ''
  }
}

/** RESULTS.md: settings, machine, every table, the targets; keeps the commentary of the last file. */
export function renderResults(results: RunResults, resultsPath: URL): string {
  const { config } = results
  const http = results.http ? summarizeHttp(results.http, results.entries) : []
  const out: string[] = [
    '# Benchmark results',
    '',
    `Generated by \`npm run bench\`${config.quick ? ' --quick (smoke run, not for quoting)' : ''} on ${results.started.toISOString()}.`,
    `Settings: ${config.warmupSec} s warm-up and ${config.durationSec} s measured per variant and workload, ` +
      `${config.rounds} round(s) interleaved, ${config.connections} connections (autocannon), ` +
      `pool max 10 everywhere, ${config.sessions.toLocaleString('en-US')} sessions per variant.`,
    '',
    '## Machine',
    '',
    ...results.machine,
    '',
  ]
  if (results.http) {
    out.push(
      '## HTTP: req/s, latency, statements per request',
      '',
      'Workloads: ' +
        (Object.entries(workloads) as Array<[Workload, string]>)
          .map(([name, text]) => `\`${name}\` = ${text}`)
          .join('; ') +
        '. `× own floor` is req/s over the floor of the same framework and workload (the same ' +
        'one SELECT for `read`, SELECT+UPDATE for the others, written in that framework; ' +
        'node:http for plain `store.get/save` and the node adapter); `× node:http floor` is over ' +
        'the node:http floor. Statements per request: `pg_stat_database` transactions of ' +
        'the benchmark database during the measurement, less one per new connection, over the ' +
        'requests the server received. Server CPU: user+system time of the server process per ' +
        'request (less sensitive to a busy machine than req/s). Lost updates (contended): ' +
        'increments answered 2xx minus the growth of the counter, median over rounds.',
      '',
      httpTable(http),
      '',
    )
  }
  if (results.codec) {
    out.push('## Codec (securecookie encode/decode, one core)', '')
    if (Array.isArray(results.codec)) out.push(codecTable(results.codec, results.go))
    else out.push(`codec bench unavailable: ${results.codec.error}`)
    if (results.go) {
      out.push(
        '',
        results.go.ok
          ? `Go: ${results.go.version}, \`go test -bench . -cpu 1\` in bench/go; node and Go alternate, ${config.codecRounds} round(s), medians.`
          : results.go.why,
      )
    }
    out.push('')
  }
  if (results.latency) {
    out.push(
      '## Get latency against table size (`store.load`, in process, sequential)',
      '',
      '| rows | loads | p50 ms | p99 ms | fill time s |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...results.latency.map(
        (r) =>
          `| ${r.rows.toLocaleString('en-US')} | ${r.loads} | ${fixed(r.p50, 3)} | ${fixed(r.p99, 3)} | ${fixed(r.fillSeconds, 1)} |`,
      ),
      '',
      config.latencySizes[1] < 10_000_000
        ? `The big case is ${config.latencySizes[1].toLocaleString('en-US')} rows; \`BENCH_BIG=1\` makes it 10 million (slow to fill on this machine).`
        : 'The big case is 10 million rows (`BENCH_BIG=1`).',
      '',
    )
  }
  if (results.cleanup) {
    const c = results.cleanup
    out.push(
      '## Cleanup under read traffic',
      '',
      '| phase | req/s | p50 ms | p99 ms |',
      '| --- | ---: | ---: | ---: |',
      `| before | ${Math.round(c.before.rps)} | ${fixed(c.before.p50)} | ${fixed(c.before.p99)} |`,
      `| during deleteExpired | ${Math.round(c.during.rps)} | ${fixed(c.during.p50)} | ${fixed(c.during.p99)} |`,
      '',
      `deleteExpired: ${c.report.deleted.toLocaleString('en-US')} rows in ${c.report.batches} batches, ` +
        `${fixed(c.report.durationMs / 1000, 1)} s, longest batch ${fixed(c.report.longestBatchMs, 1)} ms.`,
      '',
    )
  }
  const checks = targets(results, http)
  if (checks.length > 0) {
    out.push('## Targets (same run)', '', '| target | measured | met |', '| --- | --- | --- |')
    for (const t of checks) {
      out.push(
        `| ${t.text} | ${t.measured} | ${t.met === undefined ? 'n/a' : t.met ? 'yes' : '**no**'} |`,
      )
    }
    out.push('')
  }
  out.push('## Commentary', '', commentaryMarker, '', keptCommentary(resultsPath), '')
  return out.join('\n')
}
