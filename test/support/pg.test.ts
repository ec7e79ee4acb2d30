/**
 * Proves the PostgreSQL test harness: schemas are isolated and dropped, search_path is applied, the
 * statement counter is exact, and the no-server path (an embedded PostgreSQL) works even on a
 * machine that has a server.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import pg from 'pg'
import { answers, describeUrl, resolveDatabase } from '../../scripts/local-postgres.ts'
import { UsageError } from '../../src/errors.ts'
import {
  countStatements,
  createTestSchema,
  databaseUrl,
  schemaName,
  serverCounters,
  type TestSchema,
} from './pg.ts'

const schemas: TestSchema[] = []
async function schemaFor(label: string): Promise<TestSchema> {
  const db = await createTestSchema(label)
  schemas.push(db)
  return db
}
after(() => Promise.all(schemas.map((db) => db.drop())))

async function schemaExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: await databaseUrl() })
  await client.connect()
  try {
    const result = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])
    return result.rowCount === 1
  } finally {
    await client.end()
  }
}

describe('createTestSchema', () => {
  test('names are plain lowercase identifiers, unique per call', () => {
    const a = schemaName('Store Save/ÄÖ-1')
    const b = schemaName('Store Save/ÄÖ-1')
    assert.match(a, /^t_store_save_1_[0-9a-f]{12}$/)
    assert.notEqual(a, b)
    assert.match(schemaName('!!!'), /^t_x_[0-9a-f]{12}$/)
    assert.ok(schemaName('x'.repeat(200)).length <= 63, 'fits a PostgreSQL identifier')
  })

  test('every pool connection uses the schema as search_path', async () => {
    const db = await schemaFor('search path')
    const clients = await Promise.all([db.pool.connect(), db.pool.connect()])
    try {
      for (const client of clients) {
        const result = await client.query('SELECT current_schema() AS s')
        assert.equal(result.rows[0].s, db.schema)
      }
    } finally {
      for (const client of clients) client.release()
    }
  })

  test('two schemas do not see each other', async () => {
    const a = await schemaFor('isolation a')
    const b = await schemaFor('isolation b')
    assert.notEqual(a.schema, b.schema)
    await a.query('CREATE TABLE items (name text)')
    await b.query('CREATE TABLE items (name text)')
    await a.query('INSERT INTO items VALUES ($1), ($2)', ['a1', 'a2'])
    await b.query('INSERT INTO items VALUES ($1)', ['b1'])
    assert.deepEqual((await a.query('SELECT name FROM items ORDER BY name')).rows, [
      { name: 'a1' },
      { name: 'a2' },
    ])
    assert.deepEqual((await b.query('SELECT name FROM items')).rows, [{ name: 'b1' }])
    await a.query('CREATE TABLE only_in_a (id int)')
    await assert.rejects(b.query('SELECT * FROM only_in_a'), { code: '42P01' })
  })

  test('drop removes the schema and its tables, ends the pool, and is idempotent', async () => {
    const db = await createTestSchema('drop me')
    await db.query('CREATE TABLE t (id int)')
    assert.equal(await schemaExists(db.schema), true)
    await db.drop()
    assert.equal(await schemaExists(db.schema), false)
    assert.equal(db.pool.ended, true)
    await assert.rejects(db.query('SELECT 1'))
    await db.drop()
  })
})

describe('statement counters', () => {
  test('countStatements logs every statement of the pool, in order', async () => {
    const db = await schemaFor('count statements')
    const counter = countStatements(db.pool)
    await db.query('CREATE TABLE t (id int)')
    const mark = counter.total()
    await db.query('INSERT INTO t VALUES ($1)', [1])
    const client = await db.pool.connect()
    try {
      await client.query('BEGIN')
      await client.query({ text: 'UPDATE t SET id = $1', values: [2] })
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    assert.deepEqual(counter.statementsSince(mark), [
      'INSERT INTO t VALUES ($1)',
      'BEGIN',
      'UPDATE t SET id = $1',
      'COMMIT',
    ])
    assert.equal(counter.total(), mark + 4)
    assert.throws(() => countStatements(db.pool), UsageError)
  })

  test('serverCounters sees the work of its own connection', async () => {
    const db = await schemaFor('server counters')
    await db.query('CREATE TABLE t (id int)')
    const client = await db.pool.connect()
    try {
      const query = (text: string, params?: unknown[]) => client.query(text, params)
      const before = await serverCounters(query)
      await query('INSERT INTO t SELECT generate_series(1, 3)')
      await query('UPDATE t SET id = id + 10 WHERE id <= 2')
      await query('DELETE FROM t WHERE id = 3')
      const now = await serverCounters(query)
      assert.ok(now.tupInserted - before.tupInserted >= 3, 'inserted rows counted')
      assert.ok(now.tupUpdated - before.tupUpdated >= 2, 'updated rows counted')
      assert.ok(now.tupDeleted - before.tupDeleted >= 1, 'deleted rows counted')
      assert.ok(now.xactCommit - before.xactCommit >= 3, 'commits counted')
    } finally {
      client.release()
    }
  })
})

describe('resolveDatabase', () => {
  test('DATABASE_URL wins and is used as is; descriptions never show the password', async () => {
    const url = 'postgres://app:hunter2@db.example:6543/sessions'
    const db = await resolveDatabase({ env: { DATABASE_URL: url } })
    assert.deepEqual({ url: db.url, source: db.source }, { url, source: 'env' })
    await db.stop()
    assert.equal(describeUrl(url), 'db.example:6543/sessions')
    assert.equal(describeUrl('not a url'), '(unparsable URL)')
  })

  test('with no server: starts an embedded PostgreSQL, answers, and removes it on stop', async () => {
    const dir = path.join(os.tmpdir(), `pgstore-test-${process.pid}-skip-option`)
    const db = await resolveDatabase({ env: {}, skipLocal: true, embeddedDir: dir })
    try {
      assert.equal(db.source, 'embedded')
      assert.doesNotMatch(db.url, /:5432\//)
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      const result = await client.query('SELECT 1 AS one, current_database() AS db')
      await client.end()
      assert.deepEqual(result.rows, [{ one: 1, db: 'test' }])
      assert.equal(existsSync(dir), true)
    } finally {
      await db.stop()
    }
    assert.equal(await answers(db.url, 1000), false, 'the server is gone')
    assert.equal(existsSync(dir), false, 'its folder is gone')
    await db.stop()
  })

  test('PGSTORE_SKIP_LOCAL=1 also forces embedded, and a stale folder is replaced', async () => {
    const dir = path.join(os.tmpdir(), `pgstore-test-${process.pid}-skip-env`)
    await fs.mkdir(path.join(dir, 'data'), { recursive: true })
    await fs.writeFile(path.join(dir, '.pgstore-embedded'), '1\n')
    await fs.writeFile(path.join(dir, 'data', 'PG_VERSION'), 'stale\n')
    const db = await resolveDatabase({ env: { PGSTORE_SKIP_LOCAL: '1' }, embeddedDir: dir })
    try {
      assert.equal(db.source, 'embedded')
      assert.equal(await answers(db.url), true)
    } finally {
      await db.stop()
    }
  })

  test('refuses to delete a folder it did not make', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pgstore-foreign-'))
    await fs.writeFile(path.join(dir, 'keep.txt'), 'mine\n')
    try {
      await assert.rejects(resolveDatabase({ env: {}, skipLocal: true, embeddedDir: dir }), {
        code: 'ERR_INVALID_OPTION',
      })
      assert.equal(await fs.readFile(path.join(dir, 'keep.txt'), 'utf8'), 'mine\n')
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  test('exitWithProcess: a process may end without stop(), and its server goes with it', () => {
    const module = new URL('../../scripts/local-postgres.ts', import.meta.url).href
    const code = `
      const { resolveDatabase } = await import(${JSON.stringify(module)})
      const db = await resolveDatabase({ env: {}, skipLocal: true, exitWithProcess: true })
      console.log(JSON.stringify({ url: db.url, source: db.source }))`
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', code],
      { encoding: 'utf8', timeout: 60_000 },
    )
    assert.equal(run.status, 0, run.stderr)
    const printed = JSON.parse(run.stdout.trim()) as { url: string; source: string }
    assert.equal(printed.source, 'embedded')
    return answers(printed.url, 1000).then((up) => assert.equal(up, false, 'server stopped'))
  })
})
