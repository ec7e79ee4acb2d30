/**
 * The CLI's failures a user meets first, worded so the next step is clear: `--json` errors as one
 * JSON line, a table of another shape (no doubled prefix, no circular advice, nothing changed), a
 * mistyped `--table` (no advice that would create it blindly; the real sessions tables listed),
 * and a revoke that matches nothing (non-zero, nothing revoked).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { freePort } from '../faults/support/cluster.ts'
import { assertOneLineError, type CliFixture, cli, cliFixture, savedSession } from './helpers.ts'

let fx: CliFixture
before(async () => {
  fx = await cliFixture('cli errors')
})
after(() => fx.close())

async function exists(table: string): Promise<boolean> {
  const { rows } = await fx.db.query('SELECT to_regclass($1)::text AS found', [
    `"${fx.db.schema}"."${table}"`,
  ])
  return rows[0]?.found !== null
}

test('--json: a runtime failure is one JSON line on stderr with code, kind and exit code', async () => {
  const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`
  const run = await cli(['stats', '--json', '--database-url', url])
  assert.equal(run.code, 1)
  assert.equal(run.stdout, '')
  const lines = run.stderr.trim().split('\n')
  assert.equal(lines.length, 1, run.stderr)
  const report = JSON.parse(lines[0] ?? '')
  assert.equal(report.command, 'stats')
  assert.equal(report.exitCode, 1)
  assert.equal(report.error.code, 'ERR_STORE_UNAVAILABLE')
  assert.equal(report.error.kind, 'store')
  assert.match(report.error.message, /connection refused/)
})

test('--json: a usage error and a database error with a SQLSTATE are JSON too', async () => {
  const usage = await cli(['cleanup', '--batch', 'lots', '--json', ...fx.where])
  assert.equal(usage.code, 2)
  const report = JSON.parse(usage.stderr)
  assert.equal(report.error.kind, 'usage')
  assert.equal(report.error.code, 'ERR_INVALID_OPTION')
  const missing = await cli([
    'stats',
    '--json',
    '--database-url',
    fx.db.url.replace(/\/[^/?]+(\?|$)/, '/pgstore_no_such_db$1'),
  ])
  assert.equal(missing.code, 1)
  const error = JSON.parse(missing.stderr).error
  assert.equal(error.sqlState, '3D000')
  assert.match(error.message, /the database does not exist/)
})

test('migrate on a table of another shape says so once, changes nothing, and does not loop', async () => {
  await fx.db.query(
    `CREATE TABLE "${fx.db.schema}".session (sid text PRIMARY KEY, sess json, expire timestamptz)`,
  )
  const run = await cli(['migrate', '--table', 'session', ...fx.where])
  assertOneLineError(
    run,
    1,
    /^pgstore migrate: the table ".*"\."session" exists but is not a sessions table/,
  )
  assert.doesNotMatch(run.stderr, /migrate: migrate:/)
  assert.doesNotMatch(run.stderr, /run `pgstore migrate`/)
  assert.match(run.stderr, /no column id, key, data, created_on, modified_on, expires_on/)
  // Untouched: same columns, no index or ledger row added for it.
  const { rows } = await fx.db.query(
    `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = 'session'`,
    [fx.db.schema],
  )
  assert.equal(rows[0]?.n, 1, 'only its own primary key index')
  const dry = await cli(['migrate', '--dry-run', '--table', 'session', ...fx.where])
  assertOneLineError(dry, 1, /exists but is not a sessions table/)
})

test('a mistyped --table: not found, the sessions tables listed, no blind migrate advice', async () => {
  const run = await cli(['stats', '--table', 'http_sesions', ...fx.where])
  assertOneLineError(run, 1, /^pgstore stats: the table ".*"\."http_sesions" does not exist/)
  assert.ok(
    run.stderr.includes(`"${fx.db.schema}".http_sessions`) ||
      run.stderr.includes(`${fx.db.schema}.http_sessions`),
    run.stderr,
  )
  assert.doesNotMatch(run.stderr, /run `pgstore migrate`/)
  assert.match(
    run.stderr,
    /To create it on purpose: pgstore migrate --schema \S+ --table http_sesions$/m,
  )
  assert.equal(await exists('http_sesions'), false)
})

test('revoke --handle or --except matching no session of the owner exits 2 and revokes nothing', async () => {
  const kept = await savedSession(fx.store, { n: 1 }, 'err-ada')
  for (const option of ['--handle', '--except']) {
    const run = await cli(['sessions', 'revoke', '--owner', 'err-ada', option, '999', ...fx.where])
    assertOneLineError(
      run,
      2,
      /^pgstore sessions: owner err-ada has no live session with handle 999: nothing revoked/,
    )
  }
  assert.equal((await fx.store.load(kept.cookie, 'sid')).values.n, 1)
})
