/**
 * Shared setup for the CLI tests: run the real executable from source in a child process, and a
 * schema with a migrated store to point it at.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { newPGStoreFromPool, type PGStore, type Session } from '../../src/index.ts'
import { createTestSchema, databaseUrl, type TestSchema } from '../support/pg.ts'

/** The repository root, where `--import tsx` resolves. */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url))
const mainScript = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

export const hashKey = Buffer.from('cli-hash-key-0123456789abcdefghij')
export const blockKey = Buffer.from('cli-block-key-0123456789abcdefgh')

/** What one run of the executable did. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs `node [prefix] script ...args` and resolves with its exit code and output; never rejects
 * for a non-zero exit. `env` entries set to `undefined` are removed from the child's environment.
 */
export function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  prefix: readonly string[] = ['--import', 'tsx'],
): Promise<CliRun> {
  const merged: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined) merged[key] = value
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...prefix, script, ...args],
      { cwd: repoRoot, env: merged, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0
        if (typeof code !== 'number') reject(error)
        else resolve({ code, stdout, stderr })
      },
    )
  })
}

/** Runs `pgstore ...args` from source with `DATABASE_URL` set to the test database. */
export async function cli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  return runScript(mainScript, args, { DATABASE_URL: await databaseUrl(), ...env })
}

/**
 * Runs `pgstore` once per argument list, a few at a time, results in order. Each run is a whole
 * `node --import tsx` start: dozens at once on a busy machine outlast the per-run timeout.
 */
export async function cliEach(
  argLists: readonly (readonly string[])[],
  concurrency = 3,
): Promise<CliRun[]> {
  const runs: CliRun[] = []
  for (let i = 0; i < argLists.length; i += concurrency) {
    runs.push(...(await Promise.all(argLists.slice(i, i + concurrency).map((args) => cli(args)))))
  }
  return runs
}

/** Asserts `run` failed with `code` and exactly one stderr line, with no stack trace. */
export function assertOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`)
  assert.equal(run.stdout, '')
  const lines = run.stderr.split('\n').filter((line) => line !== '')
  assert.equal(lines.length, 1, `one stderr line, got: ${run.stderr}`)
  assert.match(lines[0] ?? '', pattern)
  assert.doesNotMatch(run.stderr, /\n\s+at /)
}

/** A fresh schema holding a migrated sessions table, and a store on it. */
export interface CliFixture {
  db: TestSchema
  store: PGStore
  /** `['--schema', db.schema]`: the CLI has no search_path, so every call names the schema. */
  where: string[]
  close(): Promise<void>
}

/** Creates a {@link CliFixture}. */
export async function cliFixture(label: string): Promise<CliFixture> {
  const db = await createTestSchema(label)
  const store = await newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false } })
  return {
    db,
    store,
    where: ['--schema', db.schema],
    close: async () => {
      await store.close()
      await db.drop()
    },
  }
}

/** Saves a new session with `values`, optionally owned and with a user agent; returns it. */
export async function savedSession(
  store: PGStore,
  values: Record<string, unknown>,
  owner?: string,
  userAgent?: string,
): Promise<{ session: Session; cookie: string }> {
  const session = await store.load(undefined, 'sid')
  Object.assign(session.values, values)
  if (owner !== undefined) session.owner = owner
  const cookie = await store.commit(session, userAgent === undefined ? {} : { userAgent })
  assert.ok(cookie, 'a new session with values sends a cookie')
  return { session, cookie: cookie.split(';')[0] ?? '' }
}
