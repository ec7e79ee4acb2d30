/**
 * `pgstore cleanup` against a real PostgreSQL: batched deletion of exactly the expired rows, the
 * final count, the progress line on a terminal only, and standing aside while another process
 * (an application's cleanup) holds the table's cleanup lock.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { progressLine } from '../../src/cli/cleanup.ts'
import { runCli } from '../../src/cli/dispatch.ts'
import type { CliIO } from '../../src/cli/output.ts'
import { newPGStoreFromPool, type SqlClient } from '../../src/index.ts'
import { databaseUrl } from '../support/pg.ts'
import { blockKey, type CliFixture, cli, cliFixture, hashKey, savedSession } from './helpers.ts'

let fx: CliFixture
before(async () => {
  fx = await cliFixture('cli cleanup')
})
after(() => fx.close())
beforeEach(() => fx.db.query('DELETE FROM http_sessions'))

/** Saves `live` sessions and `expired` sessions past their expiry; returns the live ids. */
async function seed(live: number, expired: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < live + expired; i++)
    ids.push((await savedSession(fx.store, { i })).session.id)
  await fx.db.query(
    `UPDATE http_sessions SET expires_on = now() - interval '1 second' WHERE key = ANY($1)`,
    [ids.slice(live)],
  )
  return ids.slice(0, live)
}

async function remainingKeys(): Promise<string[]> {
  const result = await fx.db.query(`SELECT convert_from(key, 'UTF8') AS key FROM http_sessions`)
  return result.rows.map((r) => r.key).sort()
}

test('cleanup --batch 2 deletes exactly the expired rows, in batches, and reports the count', async () => {
  const live = await seed(3, 5)
  const run = await cli(['cleanup', '--batch', '2', '--json', ...fx.where])
  assert.equal(run.code, 0, run.stderr)
  const report = JSON.parse(run.stdout)
  assert.equal(report.deleted, 5)
  // 2 + 2 + 1: the short batch ends the pass.
  assert.equal(report.batches, Math.ceil(5 / 2))
  assert.equal(report.locked, true)
  assert.equal(typeof report.durationMs, 'number')
  assert.deepEqual(await remainingKeys(), live.sort())
})

test('cleanup as text prints one final line and no progress when stdout is not a terminal', async () => {
  await seed(1, 4)
  const run = await cli(['cleanup', ...fx.where])
  assert.equal(run.code, 0, run.stderr)
  assert.match(
    run.stdout,
    /^deleted 4 expired sessions from ".*"\."http_sessions" in 1 batch\(es\), [\d.]+s\n$/,
  )
  assert.ok(!run.stdout.includes('\r'))
  const again = await cli(['cleanup', ...fx.where])
  assert.match(again.stdout, /^deleted 0 expired sessions/)
})

test('cleanup --max-batches stops early; the next run goes on', async () => {
  await seed(0, 5)
  const first = JSON.parse(
    (await cli(['cleanup', '--batch', '2', '--max-batches', '1', '--json', ...fx.where])).stdout,
  )
  assert.deepEqual([first.deleted, first.batches], [2, 1])
  assert.equal((await remainingKeys()).length, 3)
  const rest = JSON.parse((await cli(['cleanup', '--json', ...fx.where])).stdout)
  assert.equal(rest.deleted, 3)
  assert.equal((await remainingKeys()).length, 0)
})

test('on a terminal, a progress line shows rows of the total, rate, elapsed time and time left, then is cleared', async () => {
  await seed(0, 3)
  let out = ''
  const io: CliIO = {
    stdout: { isTTY: true, write: (text: string) => (out += text) },
    stderr: { write: (text: string) => assert.fail(`stderr: ${text}`) },
    env: { DATABASE_URL: await databaseUrl() },
  }
  const code = await runCli(['cleanup', '--batch', '1', ...fx.where], io)
  assert.equal(code, 0)
  // Each redraw starts with carriage return + erase line; the last segment is the final report.
  const segments = out.split('\r\u001b[K')
  assert.equal(segments[0], '', 'the first write is a progress line')
  const progress = segments
    .slice(1, -1)
    .map((line) =>
      /^deleted (\d+) of (\d+) rows \((\d+)%\), (\d+) rows\/s, ([\d.]+)s elapsed, (about [\d.]+s left|finishing)$/.exec(
        line,
      ),
    )
  assert.ok(progress.length >= 1 && progress.every((m) => m !== null), JSON.stringify(out))
  assert.ok(progress.every((m) => Number(m?.[1]) <= 3))
  // The total is the expired rows counted before the first batch.
  assert.ok(
    progress.every((m) => m?.[2] === '3'),
    JSON.stringify(out),
  )

  // The progress line is erased, then the final report is written in its place.
  assert.match(segments.at(-1) ?? '', /^deleted 3 expired sessions from .* in 4 batch\(es\)/)
  assert.equal((await remainingKeys()).length, 0)
})

test('the progress line: share of the total, rate, and an estimate of the time left', () => {
  const cases: Array<[number, number, number, string]> = [
    [500, 1000, 2000, '500 of 1000 rows (50%), 250 rows/s, 2.0s elapsed, about 2.0s left'],
    [1200, 1000, 4000, '1200 of 1000 rows (100%), 300 rows/s, 4.0s elapsed, finishing'],
    [0, 10, 0, '0 of 10 rows (0%), 0 rows/s, 0.0s elapsed, ETA unknown'],
    [0, 0, 50, '0 of 0 rows (100%), 0 rows/s, 0.1s elapsed, finishing'],
  ]
  for (const [deleted, total, elapsed, line] of cases) {
    assert.equal(progressLine(deleted, total, elapsed), `deleted ${line}`)
  }
})

test('while another process holds the cleanup lock, cleanup deletes nothing and says so', async () => {
  await seed(0, 2)
  // An application's store cleaning inside a transaction that stays open holds the table's lock.
  const client = await fx.db.pool.connect()
  try {
    await client.query('BEGIN')
    // Same table as the command: the lock is keyed by the table itself.
    const inTransaction: SqlClient = { query: (config) => client.query(config) as never }
    const app = await newPGStoreFromPool(inTransaction, hashKey, blockKey, {
      migrate: false,
      schema: fx.db.schema,
    })
    const held = await app.deleteExpired({ maxBatches: 1 })
    assert.equal(held.locked, true)
    const run = await cli(['cleanup', ...fx.where])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^another process is cleaning ".*"\."http_sessions": nothing done\n$/)
    const json = JSON.parse((await cli(['cleanup', '--json', ...fx.where])).stdout)
    assert.deepEqual([json.deleted, json.batches, json.locked], [0, 0, false])
  } finally {
    await client.query('ROLLBACK')
    client.release()
  }
  // The application's batch rolled back: the rows are still there for the next pass.
  assert.equal((await remainingKeys()).length, 2)
  const run = JSON.parse((await cli(['cleanup', '--json', ...fx.where])).stdout)
  assert.equal(run.deleted, 2)
})
