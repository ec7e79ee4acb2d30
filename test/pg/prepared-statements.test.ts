/**
 * `preparedStatements`: a real pooler's failure made on one connection. The pool has one
 * connection; after the store prepared its statements there, `DEALLOCATE ALL` removes them behind
 * the driver's back, exactly as a transaction pooler handing the connection another server does
 * (`26000 prepared statement ... does not exist`).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import pg from 'pg'
import { newPGStoreFromPool, type PGStore, PgStoreError } from '../../src/index.ts'
import { cookiePair } from '../faults/support/store.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { blockKey, hashKey } from './helpers.ts'

let db: TestSchema
let pool: pg.Pool
before(async () => {
  db = await createTestSchema('prepared')
  pool = new pg.Pool({
    connectionString: db.url,
    max: 1,
    options: `-c search_path=${db.schema}`,
  })
  pool.on('error', () => undefined)
})
after(async () => {
  await pool?.end()
  await db?.drop()
})

async function saved(store: PGStore): Promise<string> {
  const session = await store.load(undefined, 'sid')
  session.values.n = 1
  return cookiePair(await store.commit(session))
}

async function prepared(): Promise<number> {
  const result = await pool.query('SELECT count(*)::int AS n FROM pg_prepared_statements')
  return result.rows[0].n
}

test("'auto' (default): a vanished statement switches to unnamed ones once, retries, and reports it", async () => {
  const store = await newPGStoreFromPool(pool, hashKey, blockKey, { cookie: { secure: false } })
  const switches: string[] = []
  store.events.on('preparedStatementsOff', ({ sqlState }) => switches.push(sqlState))
  const cookie = await saved(store)
  await store.load(cookie, 'sid')
  assert.ok((await prepared()) > 0, 'statements were prepared')
  await pool.query('DEALLOCATE ALL')
  for (let i = 0; i < 3; i++) assert.equal((await store.load(cookie, 'sid')).values.n, 1)
  assert.deepEqual(switches, ['26000'])
  assert.equal(await prepared(), 0, 'nothing prepared since')
})

test("'auto' inside a transaction (merge mode): the transaction is rolled back and run again whole", async () => {
  await pool.query('DEALLOCATE ALL')
  const store = await newPGStoreFromPool(pool, hashKey, blockKey, {
    cookie: { secure: false },
    concurrency: 'merge',
    migrate: false,
  })
  const switches: string[] = []
  store.events.on('preparedStatementsOff', ({ sqlState }) => switches.push(sqlState))
  const cookie = await saved(store)
  const first = await store.load(cookie, 'sid')
  first.values.a = 1
  await store.commit(first) // prepares the merge statements on the one connection
  const second = await store.load(cookie, 'sid')
  second.values.b = 2
  // Vanished between the load and the save: the first failure is inside the merge transaction.
  await pool.query('DEALLOCATE ALL')
  await store.commit(second)
  assert.deepEqual(switches, ['26000'])
  const values = (await store.load(cookie, 'sid')).values
  assert.deepEqual({ ...values }, { n: 1, a: 1, b: 2 })
})

test('true: the same failure is a typed error; false: nothing is ever prepared', async () => {
  await pool.query('DEALLOCATE ALL')
  const named = await newPGStoreFromPool(pool, hashKey, blockKey, {
    cookie: { secure: false },
    preparedStatements: true,
    migrate: false,
  })
  const cookie = await saved(named)
  await named.load(cookie, 'sid')
  await pool.query('DEALLOCATE ALL')
  await assert.rejects(named.load(cookie, 'sid'), (e: unknown) => {
    return e instanceof PgStoreError && e.code === 'ERR_STORE_QUERY'
  })
  // A new connection (the failed one was discarded) prepares afresh.
  const fresh = new pg.Pool({
    connectionString: db.url,
    max: 1,
    options: `-c search_path=${db.schema}`,
  })
  fresh.on('error', () => undefined)
  try {
    const unnamed = await newPGStoreFromPool(fresh, hashKey, blockKey, {
      cookie: { secure: false },
      preparedStatements: false,
      migrate: false,
    })
    await unnamed.load(await saved(unnamed), 'sid')
    const count = await fresh.query('SELECT count(*)::int AS n FROM pg_prepared_statements')
    assert.equal(count.rows[0].n, 0)
  } finally {
    await fresh.end()
  }
  assert.throws(
    () =>
      new (named.constructor as typeof import('../../src/index.ts').PGStore)(pool, [hashKey], {
        preparedStatements: 'sometimes' as never,
      }),
    { code: 'ERR_INVALID_OPTION' },
  )
})
