/**
 * `pgstore stats` against a real PostgreSQL: the counts, sizes, dates and top owners match what the
 * test wrote and what PostgreSQL reports itself.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type CliFixture, cli, cliFixture, savedSession } from './helpers.ts'

let fx: CliFixture
// What the test writes: live sessions per owner, plus anonymous and expired ones.
const owners: Record<string, number> = { ada: 3, bob: 2, cy: 1 }
const anonymousLive = 2
let expired = 0

before(async () => {
  fx = await cliFixture('cli stats')
  for (const [owner, count] of Object.entries(owners)) {
    for (let i = 0; i < count; i++) await savedSession(fx.store, { i }, owner, 'ua')
  }
  for (let i = 0; i < anonymousLive; i++) await savedSession(fx.store, { anon: i })
  // Two expired rows: one owned (must not count for its owner), one anonymous.
  const gone = [
    await savedSession(fx.store, { x: 1 }, 'ada'),
    await savedSession(fx.store, { x: 2 }),
  ]
  for (const { session } of gone) {
    await fx.db.query(
      `UPDATE http_sessions SET expires_on = now() - interval '1 minute' WHERE key = $1`,
      [session.id],
    )
    expired++
  }
})
after(() => fx.close())

test('stats --json: counts, owners, dates and sizes match the table', async () => {
  const run = await cli(['stats', '--json', ...fx.where])
  assert.equal(run.code, 0, run.stderr)
  const stats = JSON.parse(run.stdout)
  const liveOwned = Object.values(owners).reduce((a, b) => a + b, 0)
  assert.equal(stats.table, `"${fx.db.schema}"."http_sessions"`)
  assert.equal(stats.live, liveOwned + anonymousLive)
  assert.equal(stats.expired, expired)
  assert.equal(stats.total, liveOwned + anonymousLive + expired)
  assert.equal(stats.anonymous, anonymousLive)
  assert.equal(stats.owners, Object.keys(owners).length)
  const ranked = Object.entries(owners)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([owner, sessions]) => ({ owner, sessions }))
  assert.deepEqual(stats.topOwners, ranked)

  const truth = await fx.db.query(
    `SELECT min(created_on) AS oldest, max(created_on) AS newest,
       pg_table_size('http_sessions') AS t, pg_indexes_size('http_sessions') AS i
     FROM http_sessions WHERE expires_on > now()`,
  )
  const row = truth.rows[0]
  assert.equal(stats.oldest, row.oldest.toISOString())
  assert.equal(stats.newest, row.newest.toISOString())
  assert.equal(stats.tableBytes, Number(row.t))
  assert.equal(stats.indexBytes, Number(row.i))
  assert.ok(stats.tableBytes > 0 && stats.indexBytes > 0)
})

test('stats --top 1 keeps only the owner with the most sessions', async () => {
  const run = await cli(['stats', '--json', '--top', '1', ...fx.where])
  assert.deepEqual(JSON.parse(run.stdout).topOwners, [{ owner: 'ada', sessions: owners.ada }])
})

test('stats as text shows the same numbers for a person', async () => {
  const [text, json] = await Promise.all([
    cli(['stats', ...fx.where]),
    cli(['stats', '--json', ...fx.where]),
  ])
  assert.equal(text.code, 0, text.stderr)
  const stats = JSON.parse(json.stdout)
  assert.match(
    text.stdout,
    new RegExp(
      `^sessions +${stats.total} \\(live ${stats.live}, expired ${stats.expired}\\)$`,
      'm',
    ),
  )
  assert.match(text.stdout, new RegExp(`^oldest +${stats.oldest.replaceAll('.', '\\.')}$`, 'm'))
  assert.match(text.stdout, /^size +[\d.]+ kB \(table [\d.]+ kB, indexes [\d.]+ kB\)$/m)
  assert.match(text.stdout, new RegExp(`^${owners.ada} +ada$`, 'm'))
})

test('stats on an empty table reports zeros and no dates', async () => {
  await cli(['migrate', '--table', 'empty_sessions', ...fx.where])
  const run = await cli(['stats', '--json', '--table', 'empty_sessions', ...fx.where])
  assert.equal(run.code, 0, run.stderr)
  const stats = JSON.parse(run.stdout)
  assert.deepEqual(
    [stats.total, stats.live, stats.expired, stats.oldest, stats.newest, stats.topOwners],
    [0, 0, 0, null, null, []],
  )
})
