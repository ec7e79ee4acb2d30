/**
 * The store on postgres.js (`postgres` on npm) through `postgresJsClient`: prepared statements,
 * migrations and merge-mode transactions on reserved connections, and cleanup.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import postgres from 'postgres'
import { newPGStoreFromPool, type PGStore, postgresJsClient } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { blockKey, hashKey } from './helpers.ts'

let db: TestSchema
let sql: postgres.Sql
let store: PGStore

before(async () => {
  db = await createTestSchema('postgres-js')
  sql = postgres(db.url, {
    max: 4,
    onnotice: () => {},
    connection: { search_path: db.schema },
  })
  store = await newPGStoreFromPool(postgresJsClient(sql), hashKey, blockKey, {
    cookie: { secure: false },
    concurrency: 'merge',
  })
})
after(async () => {
  await store.close()
  await sql.end()
  await db.drop()
})

test('migrations, save, load, merge and cleanup work through postgres.js', async () => {
  const ledger = await db.query('SELECT count(*)::int AS n FROM pgstore_migrations')
  const shipped = (await readdir(new URL('../../migrations/', import.meta.url))).length
  assert.equal(ledger.rows[0].n, shipped)

  const session = await store.load(undefined, 'sid')
  session.values.user = 'ada'
  const cookie = await store.commit(session)
  assert.ok(cookie)
  const loaded = await store.load<Record<string, unknown>>(cookie, 'sid')
  assert.equal(loaded.values.user, 'ada')

  // Merge mode runs a transaction on a reserved connection.
  const a = await store.load<Record<string, unknown>>(cookie, 'sid')
  const b = await store.load<Record<string, unknown>>(cookie, 'sid')
  a.values.a = 1
  b.values.b = 2
  await Promise.all([store.commit(a), store.commit(b)])
  const merged = await store.load<Record<string, unknown>>(cookie, 'sid')
  assert.deepEqual({ ...merged.values }, { user: 'ada', a: 1, b: 2 })

  await db.query(`UPDATE http_sessions SET expires_on = now() - interval '1 second'`)
  const report = await store.deleteExpired()
  assert.equal(report.deleted, 1)
  assert.equal((await store.load(cookie, 'sid')).isNew, true)
})

test('a database error through postgres.js is a typed store error', async () => {
  const broken = await newPGStoreFromPool(postgresJsClient(sql), hashKey, {
    table: 'no_such_table',
    migrate: false,
  })
  const session = await broken.load(undefined, 'sid')
  session.values.x = 1
  await assert.rejects(broken.commit(session), { code: 'ERR_STORE_TABLE_MISSING', kind: 'store' })
})
