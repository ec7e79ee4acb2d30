/**
 * Equivalents of Go pgstore's own tests (TestPGStore, TestSessionOptionsAreUniquePerSession,
 * TestCleanup) and of the gorilla/sessions store tests that apply to a database store, against a
 * real PostgreSQL.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  encodeMulti,
  isErrorKind,
  newPGStoreFromPool,
  type PGStore,
  renderSetCookie,
} from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { request } from './helpers.ts'

// pgstore's tests use this base64 string's ASCII bytes as the only (hash) key.
const secret = Buffer.from(
  'EyaC2BPcJtNqU3tjEHy+c+Wmqc1yihYIbUWEl/jk0Ga73kWBclmuSFd9HuJKwJw/Wdsh1XnjY2Bw1HBVph6WOw==',
)

let db: TestSchema
let store: PGStore

before(async () => {
  db = await createTestSchema('upstream')
  store = await newPGStoreFromPool(db.pool, secret, { cookie: { secure: false } })
})
after(async () => {
  await store.close()
  await db.drop()
})

test('TestPGStore: insert, update, read back, and MaxLength', async () => {
  // Round 1: a new session is saved and the cookie is named after the session.
  let headers = new Headers()
  const first = await store.get<{ counter: number }>(request(), 'mysess')
  assert.equal(first.isNew, true)
  first.values.counter = 1
  await store.save(request(), headers, first)
  const cookie = headers.getSetCookie()[0] ?? ''
  assert.match(cookie, /^mysess=/)

  // Round 2: the cookie is rebuilt from the id, as Go's test does, and the value is read back.
  const rebuilt = renderSetCookie(
    'mysess',
    encodeMulti('mysess', first.id, store.codecs),
    store.options,
  )
  const second = await store.get<{ counter: number }>(request(rebuilt), 'mysess')
  assert.equal(second.isNew, false)
  assert.equal(second.values.counter, 1)
  second.values.counter = 9
  await store.save(request(rebuilt), new Headers(), second)

  // Round 3: the update is visible.
  const third = await store.get<{ counter: number }>(request(cookie), 'mysess')
  assert.equal(third.values.counter, 9)

  // Round 4: 6144 bytes do not fit in 4096; after MaxLength(4096*3) they do. (Go names this
  // session "my session", which is not a cookie token; ours refuses such names, so: my-session.)
  const big = await store.new(request(), 'my-session')
  big.values.big = 'x'.repeat(6144)
  headers = new Headers()
  await assert.rejects(store.save(request(), headers, big), { code: 'ERR_VALUE_TOO_LONG' })
  assert.equal(headers.getSetCookie().length, 0)
  store.maxLength(4096 * 3)
  await store.save(request(), headers, big)
  assert.equal(headers.getSetCookie().length, 1)
  store.maxLength(4096)
})

test('TestSessionOptionsAreUniquePerSession: a session option never changes the store', async () => {
  store.options.maxAge = 900
  const session = await store.get(request(), 'newsess')
  session.options.maxAge = -1
  assert.equal(store.options.maxAge, 900)
  assert.equal(session.options.maxAge, -1)
  store.options.maxAge = 86400 * 30
})

test('TestGH8: changing the store options after New does not change the session', async () => {
  const session = await store.new(request(), 'gh8')
  store.options.path = '/foo'
  assert.equal(session.options.path, '/')
  store.options.path = '/'
})

test('TestGH8FilesystemStoreDelete: save, then MaxAge -1 and 0, then save again', async () => {
  for (const maxAge of [-1, 0]) {
    const session = await store.new(request(), 'deleteme')
    session.values.x = 1
    await store.save(request(), new Headers(), session)
    session.options.maxAge = maxAge
    await store.save(request(), new Headers(), session)
  }
})

test('TestCleanup: expired rows are deleted by the background cleanup', async () => {
  const handle = store.cleanup(50)
  try {
    const session = await store.get(request(), 'cleansess')
    session.options.maxAge = 1
    await store.save(request(), new Headers(), session)
    // Let the row expire by the database clock instead of sleeping 1.5 s as Go does.
    await db.query(`UPDATE http_sessions SET expires_on = now() - interval '1 second'`)
    const deadline = Date.now() + 5000
    let left = 1
    while (left > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const rows = await db.query(
        'SELECT count(*)::int AS n FROM http_sessions WHERE expires_on < now()',
      )
      left = rows.rows[0].n
    }
    assert.equal(left, 0)
  } finally {
    await store.stopCleanup(handle)
    await store.stopCleanup(handle) // idempotent, where Go's second StopCleanup blocks forever
  }
  assert.equal(handle.running, false)
})

test('a database failure is a typed store error, never a crash', async () => {
  const other = await createTestSchema('upstream-missing')
  const unmigrated = await newPGStoreFromPool(other.pool, secret, { migrate: false })
  const session = await unmigrated.new(request(), 'x')
  session.values.a = 1
  await assert.rejects(unmigrated.save(request(), new Headers(), session), (error) => {
    assert.ok(isErrorKind(error, 'store'))
    assert.equal((error as { code: string }).code, 'ERR_STORE_TABLE_MISSING')
    assert.match((error as Error).message, /pgstore migrate/)
    return true
  })
  await other.drop()
})
