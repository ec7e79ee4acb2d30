/**
 * @module Go's own securecookie benchmark (`bench/go/`), when Go is installed: `go test -bench`
 * with one CPU, in GOPATH mode, offline, against Debian's securecookie sources. Gives ns/op per
 * case, named as `bench/codec.ts` names its rows (`encode aes-256 sid52`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './stats.ts'

/** The Go run: ns/op by case name, or why there is none. */
export type GoResult =
  | { ok: true; nsPerOp: Map<string, number>; version: string }
  | { ok: false; why: string }

const gopath = '/usr/share/gocode'

function caseName(benchmark: string): string | undefined {
  const match = /^Benchmark(Encode|Decode)(HashOnly|AES256)(Sid52|2KB)$/.exec(benchmark)
  if (!match) return undefined
  const keys = match[2] === 'HashOnly' ? 'hash-only' : 'aes-256'
  const value = match[3] === 'Sid52' ? 'sid52' : '2KB'
  return `${match[1]?.toLowerCase()} ${keys} ${value}`
}

/** Runs the Go benchmark; never throws. */
export function runGoBench(benchTime = '1s'): GoResult {
  const which = spawnSync('which', ['go'], { encoding: 'utf8' })
  if (which.status !== 0) return { ok: false, why: 'Go not installed: skipped' }
  if (!existsSync(path.join(gopath, 'src/github.com/gorilla/securecookie'))) {
    return { ok: false, why: `securecookie sources not in ${gopath}: skipped` }
  }
  const cache = path.join(os.tmpdir(), 'pgstore-bench-gocache')
  mkdirSync(cache, { recursive: true })
  const run = spawnSync(
    'go',
    ['test', '-run', '^$', '-bench', '.', '-benchtime', benchTime, '-cpu', '1', '.'],
    {
      cwd: fileURLToPath(new URL('./go/', import.meta.url)),
      encoding: 'utf8',
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH: gopath,
        GOPROXY: 'off',
        GOFLAGS: '',
        GOCACHE: cache,
      },
    },
  )
  if (run.status !== 0) return { ok: false, why: `go test failed: ${run.stderr || run.stdout}` }
  const nsPerOp = new Map<string, number>()
  for (const line of run.stdout.split('\n')) {
    const match = /^(Benchmark\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns\/op/.exec(line)
    const name = match && caseName(match[1] ?? '')
    if (match && name) nsPerOp.set(name, Number(match[2]))
  }
  const version = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim()
  return { ok: true, nsPerOp, version }
}

/** Per case, the median ns/op over several successful runs (at least one). */
export function medianGo(runs: readonly GoResult[]): GoResult {
  const ok = runs.filter((r): r is Extract<GoResult, { ok: true }> => r.ok)
  const first = ok[0]
  if (!first) return { ok: false, why: 'no Go run succeeded' }
  const nsPerOp = new Map<string, number>()
  for (const name of first.nsPerOp.keys()) {
    nsPerOp.set(name, median(ok.map((r) => r.nsPerOp.get(name) ?? Number.NaN)))
  }
  return { ok: true, nsPerOp, version: first.version }
}
