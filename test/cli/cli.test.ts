/**
 * The `pgstore` executable without a database: help, exit codes, usage errors, keygen, and the
 * one-line failures when the database cannot be reached.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { SecureCookie } from '../../src/index.ts'
import { assertOneLineError, cli, cliEach } from './helpers.ts'

const commands = [
  'migrate',
  'cleanup',
  'stats',
  'keygen',
  'sessions',
  'import',
  'reseal',
  'hash-ids',
]
const databaseCommands = [['migrate'], ['cleanup'], ['stats'], ['sessions', 'list', '--owner', 'a']]

test('pgstore --help lists every command and documents exit codes 0, 1 and 2', async () => {
  const run = await cli(['--help'])
  assert.equal(run.code, 0)
  assert.equal(run.stderr, '')
  for (const command of commands) assert.match(run.stdout, new RegExp(`^  ${command}\\b`, 'm'))
  assert.match(run.stdout, /^ {2}0 {2}success/m)
  assert.match(run.stdout, /^ {2}1 {2}runtime failure/m)
  assert.match(run.stdout, /^ {2}2 {2}usage error/m)
})

test('every command has --help (exit 0, its own usage line) and `pgstore help <command>`', async () => {
  const runs = await cliEach(
    commands.flatMap((command) => [
      [command, '--help'],
      ['help', command],
    ]),
  )
  commands.forEach((command, i) => {
    const [run, viaHelp] = [runs[2 * i], runs[2 * i + 1]]
    assert.equal(run?.code, 0, command)
    assert.match(run?.stdout ?? '', new RegExp(`^Usage: pgstore ${command}`), command)
    assert.equal(viaHelp?.stdout, run?.stdout)
  })
  const migrate = await cli(['migrate', '-h'])
  assert.match(migrate.stdout, /--dry-run/)
  assert.match(migrate.stdout, /--database-url/)
})

test('--version prints the package version', async () => {
  const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  const run = await cli(['--version'])
  assert.equal(run.code, 0)
  assert.equal(run.stdout.trim(), version.version)
})

test('no command prints the usage on stderr and exits 2', async () => {
  const run = await cli([])
  assert.equal(run.code, 2)
  assert.equal(run.stdout, '')
  assert.match(run.stderr, /^Usage: pgstore <command>/)
})

test('usage errors exit 2 with one line naming the problem', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['stats', '--bogus'], /^pgstore stats: .*'--bogus'/],
    [['cleanup', '--batch'], /--batch/],
    [['cleanup', '--batch', '0'], /--batch must be an integer/],
    [['cleanup', '--batch', '1e3'], /--batch must be an integer/],
    [['stats', '--top', '-1'], /--top/],
    [['stats', 'extra'], /^pgstore stats: .*'extra'/],
    [['stats', '--table', 'Bad-Name'], /invalid table name/],
    [['migrate', '--schema', '1x'], /invalid schema name/],
    [['sessions'], /sessions list.*sessions revoke/],
    [['sessions', 'list'], /--owner ID is required/],
    [['sessions', 'drop', '--owner', 'a'], /sessions list/],
    [['sessions', 'revoke', '--owner', 'a', '--except', 'abc'], /--except must be a handle/],
    [['sessions', 'revoke', '--owner', 'a', '--except', '1', '--handle', '2'], /either --except/],
    [['sessions', 'list', '--owner', 'a', '--handle', '2'], /for `sessions revoke`/],
  ]
  const runs = await cliEach(cases.map(([args]) => args))
  runs.forEach((run, i) => {
    assertOneLineError(run, 2, cases[i]?.[1] ?? /never/)
  })
})

test('a control character in an argument is escaped in the error line', async () => {
  const run = await cli(['bad\x1b[2Jcommand'])
  assertOneLineError(run, 2, /unknown command 'bad\\u001b\[2Jcommand'/)
  assert.ok(!run.stderr.includes('\x1b'))
})

test('keygen prints a 64-byte hash key and a 32-byte block key, base64, as env lines', async () => {
  const run = await cli(['keygen'], { DATABASE_URL: undefined })
  assert.equal(run.code, 0)
  const match = /^SESSION_HASH_KEY=([A-Za-z0-9+/=]+)\nSESSION_BLOCK_KEY=([A-Za-z0-9+/=]+)\n$/.exec(
    run.stdout,
  )
  assert.ok(match, run.stdout)
  const hash = Buffer.from(match[1] ?? '', 'base64')
  const block = Buffer.from(match[2] ?? '', 'base64')
  assert.equal(hash.length, 64)
  assert.equal(block.length, 32)
  // Standard padded base64 survives the round trip exactly.
  assert.equal(hash.toString('base64'), match[1])
  assert.equal(block.toString('base64'), match[2])
  // The pair works as the README reads it.
  const codec = new SecureCookie(hash, block)
  assert.equal(codec.decode('sid', codec.encode('sid', 'value')), 'value')
  const again = await cli(['keygen'])
  assert.notEqual(again.stdout, run.stdout)
})

test('keygen --block 16 and 24 give AES-128 and AES-192 keys; --json gives the same names', async () => {
  await Promise.all(
    [16, 24].map(async (size) => {
      const run = await cli(['keygen', '--block', String(size), '--json'])
      assert.equal(run.code, 0)
      const keys = JSON.parse(run.stdout) as Record<string, string>
      assert.deepEqual(Object.keys(keys).sort(), ['SESSION_BLOCK_KEY', 'SESSION_HASH_KEY'])
      assert.equal(Buffer.from(keys.SESSION_HASH_KEY ?? '', 'base64').length, 64)
      assert.equal(Buffer.from(keys.SESSION_BLOCK_KEY ?? '', 'base64').length, size)
    }),
  )
  assertOneLineError(await cli(['keygen', '--block', '20']), 2, /--block must be 16, 24 or 32/)
})

test('without DATABASE_URL or --database-url, database commands exit 2 and say what to set', async () => {
  const runs = await Promise.all(
    databaseCommands.map((args) => cli(args, { DATABASE_URL: undefined })),
  )
  for (const run of runs) assertOneLineError(run, 2, /set DATABASE_URL or pass --database-url/)
})

test('a URL that is not postgres:// exits 2 without echoing it', async () => {
  const urls = ['mysql://root:pw-in-url-1@db/x', 'not a url pw-in-url-2']
  const runs = await Promise.all(urls.map((url) => cli(['stats', '--database-url', url])))
  for (const run of runs) {
    assertOneLineError(run, 2, /database URL/)
    assert.ok(!run.stderr.includes('pw-in-url'))
  }
})

test('an unreachable database exits 1 with one line naming host and port, never the password', async () => {
  const url = 'postgres://admin:hunter2-secret@127.0.0.1:1/sessions?sslmode=disable'
  const runs = await Promise.all([
    ...databaseCommands.map((args) => cli(args, { DATABASE_URL: url })),
    cli(['stats', '--database-url', url], { DATABASE_URL: undefined }),
  ])
  for (const run of runs) {
    assertOneLineError(
      run,
      1,
      /^pgstore \w+: cannot connect to postgres:\/\/admin@127\.0\.0\.1:1\/sessions: connection refused/,
    )
    assert.ok(!run.stderr.includes('hunter2'), run.stderr)
    assert.ok(!run.stderr.includes('sslmode'), run.stderr)
  }
})
