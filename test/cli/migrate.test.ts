/**
 * `pgstore migrate` against a real PostgreSQL: dry run, first run, second run, concurrent runs, and
 * the commands that need the table failing clearly before it exists.
 */
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { assertOneLineError, cli } from './helpers.ts'

const migrationIds = readdirSync(new URL('../../migrations/', import.meta.url))
  .filter((file) => file.endsWith('.sql'))
  .sort()
  .map((file) => file.slice(0, -'.sql'.length))

let db: TestSchema
before(async () => {
  db = await createTestSchema('cli migrate')
})
after(() => db.drop())

async function tableExists(schema: string, table = 'http_sessions'): Promise<boolean> {
  const result = await db.query('SELECT to_regclass($1)::text AS found', [`"${schema}"."${table}"`])
  return result.rows[0]?.found !== null
}

test('before migrate, commands needing the table exit 1 and say how to create it on purpose', async () => {
  const where = ['--schema', db.schema]
  const runs = await Promise.all([
    cli(['stats', ...where]),
    cli(['cleanup', ...where]),
    cli(['sessions', 'list', '--owner', 'ada', ...where]),
    cli(['sessions', 'revoke', '--owner', 'ada', ...where]),
    cli(['stats', '--table', 'no_such_table', ...where]),
  ])
  for (const run of runs) {
    assertOneLineError(
      run,
      1,
      /^pgstore \w+: the table ".*" does not exist.*To create it on purpose: pgstore migrate --schema \S+ --table \w+$/,
    )
  }
  assert.match(runs[4]?.stderr ?? '', /"no_such_table"/)
})

test('migrate --dry-run prints every pending migration for the named table and changes nothing', async () => {
  const run = await cli(['migrate', '--dry-run', '--schema', db.schema, '--table', 'web_sessions'])
  assert.equal(run.code, 0, run.stderr)
  const headers = [...run.stdout.matchAll(/^-- (\d{4}_\w+)$/gm)].map((m) => m[1])
  assert.deepEqual(headers, migrationIds)
  assert.match(run.stdout, new RegExp(`CREATE TABLE IF NOT EXISTS "${db.schema}"\\."web_sessions"`))
  assert.equal(await tableExists(db.schema, 'web_sessions'), false)

  const json = await cli(['migrate', '--dry-run', '--json', '--schema', db.schema])
  const report = JSON.parse(json.stdout)
  assert.equal(report.dryRun, true)
  assert.deepEqual(report.applied, [])
  assert.deepEqual(
    report.pending.map((m: { id: string }) => m.id),
    migrationIds,
  )
  assert.equal(await tableExists(db.schema), false)
})

test('migrate applies every migration once; running it again applies none', async () => {
  const first = await cli(['migrate', '--schema', db.schema])
  assert.equal(first.code, 0, first.stderr)
  for (const id of migrationIds) assert.match(first.stdout, new RegExp(`^applied ${id}$`, 'm'))
  assert.ok(await tableExists(db.schema))
  const ledger = await db.query(
    `SELECT id FROM "${db.schema}".pgstore_migrations WHERE table_name = 'http_sessions' ORDER BY id`,
  )
  assert.deepEqual(
    ledger.rows.map((r) => r.id),
    migrationIds,
  )

  const second = await cli(['migrate', '--json', '--schema', db.schema])
  assert.equal(second.code, 0)
  assert.deepEqual(JSON.parse(second.stdout), {
    table: `"${db.schema}"."http_sessions"`,
    dryRun: false,
    applied: [],
    pending: [],
  })
  const text = await cli(['migrate', '--schema', db.schema])
  assert.match(text.stdout, /up to date: nothing to apply/)
  const dry = await cli(['migrate', '--dry-run', '--schema', db.schema])
  assert.match(dry.stdout, /is up to date/)
})

test('four concurrent migrate runs on a new table apply each migration exactly once', async () => {
  const table = 'racing_sessions'
  const runs = await Promise.all(
    Array.from({ length: 4 }, () =>
      cli(['migrate', '--json', '--schema', db.schema, '--table', table]),
    ),
  )
  for (const run of runs) assert.equal(run.code, 0, run.stderr)
  const applied = runs.flatMap((run) => JSON.parse(run.stdout).applied as string[])
  assert.deepEqual(applied.sort(), migrationIds)
  assert.ok(await tableExists(db.schema, table))
})
