/**
 * Proves the `npm test` wrapper: test folders are expanded without failing on missing ones, the
 * command gets a working DATABASE_URL, and its exit code (or signal) comes back unchanged.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { commandFor, testFiles } from '../../scripts/with-postgres.ts'

const script = fileURLToPath(new URL('../../scripts/with-postgres.ts', import.meta.url))

function wrap(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  })
}

test('testFiles lists *.test.ts files per folder, sorted, skipping missing folders', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pgstore-testfiles-'))
  try {
    await fs.mkdir(path.join(root, 'a'))
    await fs.mkdir(path.join(root, 'empty'))
    for (const name of ['z.test.ts', 'b.test.ts', 'helper.ts', 'c.test.js']) {
      await fs.writeFile(path.join(root, 'a', name), '')
    }
    const dirs = ['missing', 'a', 'empty'].map((dir) => path.join(root, dir))
    assert.deepEqual(testFiles(dirs), [`${root}/a/b.test.ts`, `${root}/a/z.test.ts`])
    assert.throws(() => commandFor(['--test-dirs', path.join(root, 'empty')]), /no \*\.test\.ts/)
    assert.deepEqual(commandFor(['--test-dirs', `${root}/a`, '--test-name-pattern=x']), [
      process.execPath,
      '--import',
      'tsx',
      '--test',
      '--test-name-pattern=x',
      `${root}/a/b.test.ts`,
      `${root}/a/z.test.ts`,
    ])
    assert.deepEqual(commandFor(['--', 'echo', 'hi']), ['echo', 'hi'])
    assert.equal(commandFor([]), undefined)
  } finally {
    await fs.rm(root, { recursive: true, force: true })
  }
})

test('the command gets a DATABASE_URL that answers, and its exit code comes back', () => {
  const { DATABASE_URL: _, ...env } = process.env
  const check = `
    const pg = (await import('pg')).default
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await client.connect()
    const { rows } = await client.query('SELECT 41 + 1 AS n')
    await client.end()
    process.exit(rows[0].n)`
  const run = wrap([process.execPath, '--input-type=module', '--eval', check], env)
  assert.equal(run.status, 42, run.stderr)
  assert.match(
    run.stdout,
    /^pgstore tests: PostgreSQL from (local|embedded) 127\.0\.0\.1:\d+\/test/,
  )
  assert.doesNotMatch(run.stdout, /password|postgres:\/\//)
})

test('a DATABASE_URL already set is passed on untouched; a signal death becomes 128 + n', () => {
  const url = 'postgres://nobody@127.0.0.1:1/none'
  const run = wrap(
    [
      '--',
      process.execPath,
      '-e',
      'console.log(process.env.DATABASE_URL); process.kill(process.pid, "SIGTERM")',
    ],
    { ...process.env, DATABASE_URL: url },
  )
  assert.equal(run.status, 128 + os.constants.signals.SIGTERM)
  assert.equal(run.stdout, `pgstore tests: PostgreSQL from env 127.0.0.1:1/none\n${url}\n`)
})

test('usage errors exit non-zero without running anything', () => {
  assert.equal(wrap([]).status, 2)
  assert.equal(wrap(['--test-dirs', 'no/such/dir']).status, 1)
})
