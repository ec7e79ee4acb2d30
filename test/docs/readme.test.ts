/**
 * The README's first example, run as written: keys from `pgstore keygen` decoded the way it says,
 * the table created at start, and visits counted only for `GET /` (a browser's `/favicon.ico`
 * request does not count). Only the import path and the port are rewritten.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { keygenCommand } from '../../src/cli/keygen.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(path.join(os.tmpdir(), 'pgstore-readme-'))
let db: TestSchema
let child: ChildProcess | undefined

before(async () => {
  db = await createTestSchema('readme')
})

after(async () => {
  child?.kill()
  rmSync(dir, { recursive: true, force: true })
  await db.drop()
})

/** The first ```ts block of the README, made to import from source and listen on a free port. */
function firstExample(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(block, 'the README has a ts example')
  assert.match(block, /from 'pgstore'/)
  assert.match(block, /createServer\(/)
  assert.match(block, /\}\)\.listen\(3000\)/)
  const source = pathToFileURL(path.join(root, 'src/index.ts')).href
  return block
    .replace("from 'pgstore'", `from '${source}'`)
    .replace('createServer(', 'const server = createServer(')
    .replace(
      '}).listen(3000)',
      "})\nserver.listen(0, '127.0.0.1', () => console.log('listening', server.address().port))",
    )
}

async function keygenEnv(): Promise<Record<string, string>> {
  let out = ''
  const io = { stdout: { write: (t: string) => (out += t) }, stderr: process.stderr, env: {} }
  await keygenCommand([], io)
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  )
}

/** Starts the example and resolves with its base URL once it listens. */
async function start(env: Record<string, string>): Promise<string> {
  const file = path.join(dir, 'app.mts')
  writeFileSync(file, firstExample())
  child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    let stdout = ''
    child?.stdout?.on('data', (chunk) => {
      stdout += chunk
      const port = /listening (\d+)/.exec(stdout)?.[1]
      if (port) resolve(`http://127.0.0.1:${port}`)
    })
    child?.once('exit', (code) => reject(new Error(`example exited ${code}: ${stderr}`)))
  })
}

test('the README example runs with keygen keys and counts GET / only, not the favicon', async () => {
  const url = new URL(db.url)
  url.searchParams.set('options', `-c search_path=${db.schema}`)
  const base = await start({ ...(await keygenEnv()), DATABASE_URL: url.href })

  const first = await fetch(`${base}/`)
  assert.equal(await first.text(), 'visit 1\n')
  const cookie = first.headers.getSetCookie()[0]?.split(';')[0] ?? ''
  assert.match(cookie, /^sid=/)

  const favicon = await fetch(`${base}/favicon.ico`, { headers: { cookie } })
  assert.equal(favicon.status, 404)
  await favicon.arrayBuffer()
  const post = await fetch(`${base}/`, { method: 'POST', headers: { cookie } })
  assert.equal(post.status, 404)
  await post.arrayBuffer()

  const second = await fetch(`${base}/`, { headers: { cookie } })
  assert.equal(await second.text(), 'visit 2\n', 'the favicon and the POST did not count')
  const { rows } = await db.query('SELECT count(*)::int AS n FROM http_sessions')
  assert.equal(rows[0]?.n, 1, 'one session row, in the table the example created')
})
