/**
 * A mistyped option or a key of the wrong kind gives a compile error that names the problem (the
 * option, the expected type), not a tuple-type mismatch. Compiles small programs with the project's
 * own `tsc` in a temporary folder and reads the messages.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(path.join(os.tmpdir(), 'pgstore-type-messages-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Compiles `source` (importing the package as `pgstore`) and returns tsc's output lines. */
function compile(source: string): Promise<string[]> {
  const file = path.join(dir, `probe-${Math.random().toString(36).slice(2)}.mts`)
  writeFileSync(file, source)
  const config = path.join(dir, 'tsconfig.json')
  writeFileSync(
    config,
    JSON.stringify({
      extends: path.join(root, 'tsconfig.json'),
      compilerOptions: {
        paths: {
          pgstore: [path.join(root, 'src/index.ts')],
          'pgstore/*': [path.join(root, 'src/adapters/*.ts')],
        },
        typeRoots: [path.join(root, 'node_modules/@types')],
      },
      include: [file],
    }),
  )
  return new Promise((resolve, reject) => {
    execFile(
      path.join(root, 'node_modules/.bin/tsc'),
      ['-p', config],
      { cwd: root, timeout: 120_000 },
      (error, stdout) => {
        if (error && typeof (error as { code?: unknown }).code !== 'number') reject(error)
        else resolve(stdout.split('\n').filter((line) => /error TS/.test(line)))
      },
    )
  })
}

test('a mistyped option names the option and the options type', async () => {
  const errors = await compile(`
import { newPGStore, newPGStoreFromPool, type SqlClient } from 'pgstore'
import { fetchSessions } from 'pgstore/fetch'
declare const pool: SqlClient
const key = new Uint8Array(64)
await newPGStore('postgres://127.0.0.1/db', key, { tabel: 'sessions' })
await newPGStoreFromPool(pool, key, null, { migrat: false })
await newPGStore('postgres://127.0.0.1/db', key, { pool: { maxx: 3 } })
fetchSessions(await newPGStoreFromPool(pool, key), { nmae: 'sid' })
`)
  assert.equal(errors.length, 4, errors.join('\n'))
  for (const [line, option] of [
    [0, 'tabel'],
    [1, 'migrat'],
    [2, 'maxx'],
    [3, 'nmae'],
  ] as const) {
    assert.match(errors[line] ?? '', new RegExp(`'${option}'`), errors[line])
    assert.doesNotMatch(errors[line] ?? '', /tuple|Source has|target allows/i, errors[line])
  }
  assert.match(errors[0] ?? '', /NewPGStoreOptions/)
  assert.match(errors[2] ?? '', /PoolOptions/)
})

test('a string key is a compile error saying a Uint8Array is expected', async () => {
  const errors = await compile(`
import { newPGStore } from 'pgstore'
await newPGStore('postgres://127.0.0.1/db', 'my-secret-key')
`)
  assert.equal(errors.length, 1, errors.join('\n'))
  assert.match(errors[0] ?? '', /Uint8Array/)
  assert.doesNotMatch(errors[0] ?? '', /tuple|Source has/i)
})
