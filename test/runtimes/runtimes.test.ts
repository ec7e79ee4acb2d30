/**
 * The built package under Bun and Deno: `tsc -p tsconfig.build.json` into a package-shaped folder,
 * then `test/runtimes/counter.mjs` serves a session counter with newPGStore and the Fetch adapter
 * through `Bun.serve` and `Deno.serve`; three real HTTP requests from here count 1, 2, 3 in one
 * session, and the row is in PostgreSQL. The runtimes are the pinned `bun` and `deno` npm
 * packages (devDependencies), whose binaries `node_modules/.bin` holds.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { buildPackage } from '../support/package.ts'
import { createTestSchema, databaseUrl } from '../support/pg.ts'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const counter = fileURLToPath(new URL('./counter.mjs', import.meta.url))
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name)
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'))
let root: string

before(async () => {
  ;({ root } = await buildPackage('runtimes'))
})
after(() => rmSync(root, { recursive: true, force: true }))

/** Starts `counter.mjs` under `command` and resolves with the child and its port. */
async function serve(
  command: string[],
  schema: string,
): Promise<{ child: ChildProcess; port: number }> {
  const [file, ...args] = command
  const child = spawn(file ?? '', [...args, counter], {
    cwd: root,
    env: {
      ...process.env,
      DIST_URL: pathToFileURL(path.join(root, 'dist')).href,
      DATABASE_URL: await databaseUrl(),
      SCHEMA: schema,
      HASH_KEY: Buffer.from('runtime-hash-key-0123456789abcdef').toString('base64'),
      BLOCK_KEY: Buffer.from('runtime-block-key-0123456789abcd').toString('base64'),
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: `.bin/deno` is a Node script that starts the real binary, which a
    // signal to the script alone would leave running with our pipes open (the test never ends).
    detached: true,
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr += chunk))
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const port = await Promise.race([
    (async () => {
      for await (const line of lines) {
        const match = /^listening (\d+)$/.exec(line)
        if (match) return Number(match[1])
      }
      throw new Error(`exited before listening: ${stderr}`)
    })(),
    once(child, 'exit').then(([code]) => {
      throw new Error(`exited with ${code}: ${stderr}`)
    }),
  ])
  return { child, port }
}

/** SIGTERM to every process of the group `pid` leads; a group already gone is fine. */
function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** Waits up to 5 s for every process of group `pid` to end; a runtime left behind fails. */
async function groupGone(pid: number): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    try {
      process.kill(-pid, 0)
    } catch {
      return
    }
    await sleep(100)
  }
  assert.fail('a runtime process outlived the test')
}

async function countThreeTimes(runtime: string, command: string[], version: string) {
  const db = await createTestSchema(`runtime ${runtime}`)
  let child: ChildProcess | undefined
  try {
    const served = await serve(command, db.schema)
    child = served.child
    const port = served.port
    let cookie: string | undefined
    for (const n of [1, 2, 3]) {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        headers: cookie ? { cookie } : {},
      })
      const body = (await response.json()) as { n: number; runtime: string }
      assert.deepEqual(body, { n, runtime: `${runtime} ${version}` })
      if (n === 1) {
        cookie = response.headers.get('set-cookie')?.split(';')[0]
        assert.match(cookie ?? '', /^sid=/)
        assert.equal(response.headers.get('cache-control'), 'no-store')
      }
    }
    const rows = await db.query('SELECT count(*)::int AS n FROM http_sessions')
    assert.equal(rows.rows[0].n, 1)
  } finally {
    // Dropping the schema also ends the test's pool: a failed start must not leave it open.
    if (child?.pid !== undefined) stopGroup(child.pid)
    if (child && child.exitCode === null) await once(child, 'exit')
    if (child?.pid !== undefined) await groupGone(child.pid)
    await db.drop()
  }
}

test('Bun: Bun.serve with the built package counts 1, 2, 3 in one session', async () => {
  await countThreeTimes('bun', [bin('bun'), 'run'], pkg.devDependencies.bun)
})

test('Deno: Deno.serve with the built package counts 1, 2, 3 in one session', async () => {
  await countThreeTimes(
    'deno',
    [bin('deno'), 'run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys'],
    pkg.devDependencies.deno,
  )
})
