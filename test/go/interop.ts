/**
 * The Go side of the live tests: builds go/interop once (cached in the OS temp folder under a hash
 * of its sources, so concurrent test files and later runs reuse it) and talks to it in JSON lines.
 *
 * Go is optional on a developer machine: `goAvailable()` is false when `go` is not on PATH, and the
 * live tests then skip with a printed reason. CI (.ci/run) installs Go, so there they always run.
 */

import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { GoError } from '../codec/go-vectors.ts'
import type { Typed } from './typed.ts'

const SOURCE_DIR = fileURLToPath(new URL('../../go/interop/', import.meta.url))
/** Debian's golang-github-* packages install their sources here (GOPATH layout). */
const DEBIAN_GOCODE = '/usr/share/gocode'

/** True when a `go` toolchain is on PATH. */
export function goAvailable(): boolean {
  return !spawnSync('go', ['version'], { stdio: 'ignore' }).error
}

/** Prints why the live Go tests did not run; call it when {@link goAvailable} is false. */
export function reportSkip(file: string): void {
  console.log(`SKIPPED ${file}: \`go\` is not on PATH (install golang-go, see .ci/run)`)
}

/** Builds the program unless a binary for the same sources exists; returns its path. */
export function buildInterop(): string {
  const hash = createHash('sha256')
  for (const name of readdirSync(SOURCE_DIR)
    .filter((n) => n.endsWith('.go'))
    .sort()) {
    hash.update(name).update(readFileSync(path.join(SOURCE_DIR, name)))
  }
  const root = path.join(tmpdir(), 'pgstore-go-interop')
  const binary = path.join(root, `interop-${hash.digest('hex').slice(0, 16)}`)
  if (existsSync(binary)) return binary
  mkdirSync(path.join(root, 'gopath'), { recursive: true })
  // Built under a unique name and renamed: two test files building at once never see half a file.
  const partial = `${binary}.${process.pid}.tmp`
  const gopath = [path.join(root, 'gopath'), DEBIAN_GOCODE, process.env.GOPATH]
  const result = spawnSync('go', ['build', '-o', partial, '.'], {
    cwd: SOURCE_DIR,
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOFLAGS: '',
      GOPATH: gopath.filter(Boolean).join(path.delimiter),
      GOCACHE: path.join(root, 'gocache'),
    },
  })
  if (result.status !== 0) {
    throw new Error(`go build failed:\n${result.stderr}${result.error?.message ?? ''}`)
  }
  renameSync(partial, binary)
  return binary
}

/** A key pair for the Go program, in hex. */
export interface GoKeyPair {
  hash: string
  block?: string
}

/** One request; see go/interop/main.go for the fields each `op` reads. */
export interface GoRequest {
  op: 'encode' | 'decode' | 'request' | 'start'
  keys: GoKeyPair[]
  name: string
  maxAge?: number
  value?: Typed
  input?: string
  dst?: 'string' | 'values'
  dsn?: string
  cookie?: string
  set?: Record<string, Typed>
  delete?: string[]
  flashes?: Typed[]
  takeFlashes?: boolean
  sessionMaxAge?: number
  save?: boolean
  /** How many times Save runs (default 1): a new session saved twice makes two INSERTs in Go. */
  saves?: number
  /** The store's `MaxAge(n)`: Options.MaxAge and every codec's maxAge (New re-applies it). */
  storeMaxAge?: number
  /** Run pgstore's CREATE block first, as `NewPGStoreFromPool` does. */
  create?: boolean
}

/** The program's answer. `error` is Go's error (as in the vectors), or a bad request. */
export interface GoResponse {
  ok: boolean
  error?: GoError
  encoded?: string
  value?: Typed
  isNew: boolean
  id?: string
  flashes?: Typed
  saveError?: GoError
  setCookies?: string[]
}

/** A running go/interop process; requests are answered in order. */
export class GoInterop {
  readonly #child
  readonly #waiting: Array<(line: string) => void> = []

  constructor(binary: string) {
    this.#child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] })
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      this.#waiting.shift()?.(line)
    })
  }

  /** Sends one request; rejects when the program reports a malformed request. */
  call(request: GoRequest): Promise<GoResponse> {
    return new Promise((resolve, reject) => {
      this.#waiting.push((line) => {
        const response = JSON.parse(line) as GoResponse
        if (response.error?.go_type === 'interop.BadRequest') {
          reject(new Error(`go/interop: ${response.error.message}`))
        } else resolve(response)
      })
      this.#child.stdin.write(`${JSON.stringify(request)}\n`)
    })
  }

  /** Ends the program (closing stdin makes it exit). */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.stdin.end()
    await exited
  }
}

/** Hex key pairs from the vectors' key set ids, in codec order. */
export function goKeys(
  sets: ReadonlyArray<{ hashKey: Uint8Array; blockKey: Uint8Array | null }>,
): GoKeyPair[] {
  return sets.map(({ hashKey, blockKey }) => ({
    hash: Buffer.from(hashKey).toString('hex'),
    ...(blockKey ? { block: Buffer.from(blockKey).toString('hex') } : {}),
  }))
}

/**
 * The test database's URL for lib/pq, with `search_path` (sent by lib/pq as a run-time parameter)
 * so Go's unqualified `http_sessions` is the test schema's table, and `sslmode=disable` unless set
 * (lib/pq defaults to `require`; the test server is local).
 */
export function goDsn(url: string, schema: string): string {
  const dsn = new URL(url)
  dsn.searchParams.set('search_path', schema)
  if (!dsn.searchParams.has('sslmode')) dsn.searchParams.set('sslmode', 'disable')
  return dsn.toString()
}

/** `name=value` from a `Set-Cookie` header, as a browser sends it back. */
export function cookiePair(setCookie: string | undefined): string {
  return (setCookie ?? '').split(';')[0] ?? ''
}
