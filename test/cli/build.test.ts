/**
 * The built executable: `tsc -p tsconfig.build.json` emits `cli/main.js` with its shebang, and the
 * file runs as `pgstore` does once installed (through `#!/usr/bin/env node`, next to `migrations/`).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmodSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { buildPackage } from '../support/package.ts'
import { databaseUrl } from '../support/pg.ts'
import { repoRoot, runScript } from './helpers.ts'

const run = promisify(execFile)
let root: string
let main: string
let tscOutput = ''

before(async () => {
  // A package-shaped folder: dist/ built from src/, with the package.json, migrations and deps.
  ;({ root, tscOutput } = await buildPackage('cli-build'))
  main = path.join(root, 'dist', 'cli', 'main.js')
})
after(() => rmSync(root, { recursive: true, force: true }))

test('the build has no type errors in the CLI and emits main.js starting with the shebang', () => {
  const ours = tscOutput.split('\n').filter((line) => /src\/(cli\/|pg\/stats\.ts)/.test(line))
  assert.deepEqual(ours, [])
  assert.equal(readFileSync(main, 'utf8').split('\n')[0], '#!/usr/bin/env node')
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'))
  assert.equal(path.normalize(path.join(root, pkg.bin.pgstore)), main)
})

test('the built file runs as an executable: --version, keygen, migrate --dry-run', async () => {
  chmodSync(main, 0o755)
  const env = {
    ...process.env,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    DATABASE_URL: await databaseUrl(),
  }
  const version = await run(main, ['--version'], { env })
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'))
  assert.equal(version.stdout.trim(), pkg.version)

  const keys = JSON.parse((await run(main, ['keygen', '--json'], { env })).stdout)
  assert.equal(Buffer.from(keys.SESSION_HASH_KEY, 'base64').length, 64)

  const dry = await run(main, ['migrate', '--dry-run', '--schema', 'pgstore_build_never_created'], {
    env,
  })
  assert.match(dry.stdout, /^-- 0001_\w+$/m)
  assert.match(dry.stdout, /"pgstore_build_never_created"\."http_sessions"/)
})

test('the built file fails like the source: exit 2 on bad usage, exit 1 on no database', async () => {
  const usage = await runScript(main, ['stats', '--nope'], {}, [])
  assert.equal(usage.code, 2)
  assert.match(usage.stderr, /^pgstore stats: .*'--nope'/)
  const down = await runScript(
    main,
    ['stats'],
    { DATABASE_URL: 'postgres://u:pw9@127.0.0.1:1/x' },
    [],
  )
  assert.equal(down.code, 1)
  assert.match(down.stderr, /connection refused/)
  assert.ok(!down.stderr.includes('pw9'))
  assert.doesNotMatch(down.stderr, /\n\s+at /)
})
