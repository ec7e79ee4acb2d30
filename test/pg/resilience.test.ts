/**
 * The store while the server drops its connections: typed errors, no crash, recovery by itself.
 * (The full fault suite, with restarts and a proxy, is `npm run test:faults`.)
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { isErrorKind, newPGStore, type PGStore, type Session } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { hashKey, request } from './helpers.ts'

let db: TestSchema
let store: PGStore
const applicationName = `pgstore-resilience-${process.pid}`

before(async () => {
  db = await createTestSchema('resilience')
  store = await newPGStore(db.url, hashKey, {
    schema: db.schema,
    cookie: { secure: false },
    pool: { max: 4, applicationName },
  })
})
after(async () => {
  await store.close()
  await db.drop()
})

async function terminateStoreBackends(): Promise<number> {
  const result = await db.query(
    'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  )
  return result.rows[0].n
}

test('terminated backends give typed store errors, then the store recovers by itself', async () => {
  const session = await store.new(request(), 'sid')
  session.values.n = 1
  const cookie = await store.commit(session)
  assert.ok(cookie)
  const errors: unknown[] = []
  store.events.on('error', (error) => errors.push(error))
  let failures = 0
  let successes = 0
  for (let round = 0; round < 5; round++) {
    // Hold all four connections busy, then kill them.
    await Promise.all([1, 2, 3, 4].map(() => store.load(cookie, 'sid')))
    assert.ok((await terminateStoreBackends()) > 0)
    for (let i = 0; i < 8; i++) {
      try {
        const loaded: Session<{ n: number }> = await store.load<{ n: number }>(cookie, 'sid')
        assert.equal(loaded.values.n, 1)
        successes++
      } catch (error) {
        assert.ok(isErrorKind(error, 'store'), `typed store error, got ${String(error)}`)
        assert.equal((error as { code: string }).code, 'ERR_STORE_UNAVAILABLE')
        failures++
      }
    }
  }
  // Every round ends in success: dead connections are dropped, never reused forever.
  assert.ok(successes >= 5 * 4, `successes ${successes}, failures ${failures}`)
  const last = await store.load<{ n: number }>(cookie, 'sid')
  assert.equal(last.values.n, 1)
  // The kills were seen: as failed requests or as idle-connection errors, never as a crash.
  assert.ok(failures + errors.length > 0)
  for (const error of errors) assert.ok(isErrorKind(error, 'store'))
})

test('a store on an unreachable server fails with a typed error at creation, without hanging', async () => {
  const started = Date.now()
  await assert.rejects(
    newPGStore('postgres://postgres@127.0.0.1:1/none', hashKey, {
      pool: { connectionTimeoutMillis: 1000 },
    }),
    (error) =>
      isErrorKind(error, 'store') && (error as { code: string }).code === 'ERR_STORE_UNAVAILABLE',
  )
  assert.ok(Date.now() - started < 5000)
})
