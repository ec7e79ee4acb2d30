/**
 * PGStore against a real PostgreSQL: Go's pitfalls fixed (go-reference.md §1.12), the schema,
 * migrations, cleanup and the typed errors.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  encodeMulti,
  migrate,
  newPGStoreFromPool,
  newSessionId,
  PGStore,
  SecureCookie,
} from '../../src/index.ts'
import { createTestSchema } from '../support/pg.ts'
import { blockKey, type Fixture, hashKey, request, storeFixture } from './helpers.ts'

let fx: Fixture
before(async () => {
  fx = await storeFixture('store')
})
after(() => fx.close())

async function saved(values: Record<string, unknown>, name = 'sid') {
  const session = await fx.store.new(request(), name)
  Object.assign(session.values, values)
  const headers = new Headers()
  await fx.store.save(request(), headers, session)
  return { session, cookie: headers.getSetCookie()[0] ?? '' }
}

async function rowsFor(key: string) {
  return (await fx.db.query('SELECT * FROM http_sessions WHERE key = $1', [key])).rows
}

test('a saved session loads back with its values, and isNew is false after the save', async () => {
  const { session, cookie } = await saved({ user: 'ada', n: 1, nested: { a: [1, 2] } })
  assert.equal(session.isNew, false)
  assert.match(session.id, /^[A-Z2-7]{51}[AQ]$/)
  const loaded = await fx.store.get(request(cookie), 'sid')
  assert.equal(loaded.isNew, false)
  assert.equal(loaded.id, session.id)
  assert.deepEqual({ ...loaded.values }, { user: 'ada', n: 1, nested: { a: [1, 2] } })
  assert.equal(Object.getPrototypeOf(loaded.values), null)
})

test('the row is Go-shaped: key is the id in ASCII, data is the securecookie string of the values', async () => {
  const { session } = await saved({ foo: 'bar' })
  const [row] = await rowsFor(session.id)
  assert.equal(Buffer.from(row.key).toString('latin1'), session.id)
  const data = Buffer.from(row.data).toString('latin1')
  const codec = new SecureCookie(hashKey, blockKey).maxAge(0)
  assert.deepEqual({ ...(codec.decode('sid', data) as object) }, { foo: 'bar' })
  assert.ok(row.created_on <= row.modified_on)
  assert.ok(row.expires_on > row.modified_on)
})

test('saving a new session twice writes one row (Go inserted two)', async () => {
  const session = await fx.store.new(request(), 'sid')
  session.values.x = 1
  await fx.store.save(request(), new Headers(), session)
  session.values.x = 2
  await fx.store.save(request(), new Headers(), session)
  const rows = await rowsFor(session.id)
  assert.equal(rows.length, 1)
  const loaded = await fx.store.new(
    request(`sid=${encodeMulti('sid', session.id, fx.store.codecs)}`),
    'sid',
  )
  assert.equal(loaded.values.x, 2)
})

test('an expired row does not load, even before cleanup (Go loaded it)', async () => {
  const { session, cookie } = await saved({ secret: 1 })
  await fx.db.query(
    `UPDATE http_sessions SET expires_on = now() - interval '1 second' WHERE key = $1`,
    [session.id],
  )
  const loaded = await fx.store.get(request(cookie), 'sid')
  assert.equal(loaded.isNew, true)
  assert.equal(loaded.id, '')
  assert.equal(loaded.values.secret, undefined)
})

test('a valid cookie whose row is gone gets a fresh id; the presented id is never adopted', async () => {
  const { session, cookie } = await saved({ a: 1 })
  await fx.db.query('DELETE FROM http_sessions WHERE key = $1', [session.id])
  const again = await fx.store.get(request(cookie), 'sid')
  assert.equal(again.isNew, true)
  assert.equal(again.error, undefined)
  again.values.a = 2
  await fx.store.save(request(cookie), new Headers(), again)
  assert.notEqual(again.id, session.id)
  assert.equal((await rowsFor(session.id)).length, 0)
})

test('a cookie with a valid MAC over an id we never issued is never adopted', async () => {
  const forged = newSessionId()
  const cookie = `sid=${encodeMulti('sid', forged, fx.store.codecs)}`
  const count = async () =>
    (await fx.db.query('SELECT count(*)::int AS n FROM http_sessions')).rows[0].n
  const before = await count()
  const session = await fx.store.get(request(cookie), 'sid')
  assert.equal(session.isNew, true)
  assert.equal(session.id, '')
  assert.equal(await count(), before, 'reading wrote nothing')
  session.values.a = 1
  await fx.store.save(request(cookie), new Headers(), session)
  assert.notEqual(session.id, forged)
  assert.equal((await rowsFor(forged)).length, 0)
})

test('a tampered cookie gives a new session and the typed decode error, never a throw', async () => {
  const { cookie } = await saved({ a: 1 })
  const value = cookie.split(';')[0]!.slice('sid='.length)
  const flipped = value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11)
  const session = await fx.store.get(request(`sid=${flipped}`), 'sid')
  assert.equal(session.isNew, true)
  assert.equal(session.error?.kind, 'decode')
  assert.equal(session.error?.code, 'ERR_COOKIE_MAC_INVALID')
  const other = await fx.store.get(request('sid=garbage!'), 'sid')
  assert.equal(other.error?.code, 'ERR_COOKIE_BASE64')
})

test('a per-session maxAge above the store codecs maxAge does not break decoding', async () => {
  const clock = { now: Date.now() }
  const store = new PGStore(fx.db.pool, [hashKey, blockKey], {
    cookie: { secure: false },
    now: () => clock.now,
  })
  store.maxAge(60) // codecs would reject cookie and data timestamps older than a minute
  const session = await store.new(request(), 'remember')
  session.options.maxAge = 86400 * 365
  session.values.user = 'ada'
  const headers = new Headers()
  await store.save(request(), headers, session)
  clock.now += 3600_000 // an hour later by the application clock
  const loaded = await store.get(request(headers.getSetCookie()[0]), 'remember')
  assert.equal(loaded.error, undefined)
  assert.equal(loaded.values.user, 'ada')
})

test('maxAge 0 is a browser-session cookie whose row keeps the store lifetime', async () => {
  const session = await fx.store.new(request(), 'sid')
  session.options.maxAge = 0
  session.values.a = 1
  const headers = new Headers()
  await fx.store.save(request(), headers, session)
  assert.doesNotMatch(headers.getSetCookie()[0] ?? '', /Max-Age|Expires/)
  const report = await fx.store.deleteExpired()
  assert.equal(report.locked, true)
  const [row] = await rowsFor(session.id)
  assert.ok(row, 'the row survives cleanup')
  const days = (row.expires_on.getTime() - row.modified_on.getTime()) / 86400_000
  assert.ok(days > 29.9 && days < 30.1)
})

test('maxAge < 0 deletes the row and sends an expiring cookie with the same path', async () => {
  const { session, cookie } = await saved({ a: 1 })
  const loaded = await fx.store.get(request(cookie), 'sid')
  loaded.options.maxAge = -1
  const headers = new Headers()
  await fx.store.save(request(cookie), headers, loaded)
  assert.equal((await rowsFor(session.id)).length, 0)
  const expiring = headers.getSetCookie()[0] ?? ''
  assert.match(expiring, /^sid=;/)
  assert.match(expiring, /Max-Age=0/)
  assert.match(expiring, /Path=\//)
  assert.match(expiring, /Expires=Thu, 01 Jan 1970 00:00:01 GMT/)
})

test('new() mutates no shared store state (Go reset every codec maxAge on each New)', async () => {
  const before = fx.store.options.maxAge
  const session = await fx.store.new(request(), 'sid')
  session.options.maxAge = 5
  await fx.store.new(request(), 'sid')
  assert.equal(fx.store.options.maxAge, before)
})

test('secure defaults: HttpOnly, SameSite=Lax, Secure, Path=/ and a 30-day Max-Age', async () => {
  const db = await createTestSchema('defaults')
  const store = await newPGStoreFromPool(db.pool, hashKey)
  const session = await store.new(request(), 'sid')
  session.values.a = 1
  const headers = new Headers()
  await store.save(request(), headers, session)
  const cookie = headers.getSetCookie()[0] ?? ''
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/', 'Max-Age=2592000']) {
    assert.ok(cookie.includes(attribute), `${attribute} in ${cookie}`)
  }
  await store.close()
  await db.drop()
})

test('cookie names must be RFC 6265 tokens', async () => {
  await assert.rejects(fx.store.get(request(), 'session:key'), { code: 'ERR_INVALID_COOKIE_NAME' })
  await assert.rejects(fx.store.get(request(), ''), { code: 'ERR_INVALID_COOKIE_NAME' })
})

test('schema and table names are validated, and a custom schema and table work', async () => {
  assert.throws(() => new PGStore(fx.db.pool, [hashKey], { table: 'a"; DROP TABLE x; --' }), {
    code: 'ERR_INVALID_IDENTIFIER',
  })
  assert.throws(() => new PGStore(fx.db.pool, [hashKey], { schema: 'x'.repeat(64) }), {
    code: 'ERR_INVALID_IDENTIFIER',
  })
  const schema = `${fx.db.schema}_custom`
  const store = await newPGStoreFromPool(fx.db.pool, hashKey, {
    schema,
    table: 'sessions',
    cookie: { secure: false },
  })
  const session = await store.new(request(), 'sid')
  session.values.a = 1
  const headers = new Headers()
  await store.save(request(), headers, session)
  const loaded = await store.get(request(headers.getSetCookie()[0]), 'sid')
  assert.equal(loaded.values.a, 1)
  const count = await fx.db.query(`SELECT count(*)::int AS n FROM ${schema}.sessions`)
  assert.equal(count.rows[0].n, 1)
  await fx.db.query(`DROP SCHEMA ${schema} CASCADE`)
})

test('migrations apply once, are recorded, and make key unique keeping the newest duplicate', async () => {
  const db = await createTestSchema('migrations')
  // A table written by Go, with duplicate keys and no migrations ledger.
  await db.query(`CREATE TABLE http_sessions (id BIGSERIAL PRIMARY KEY, key BYTEA, data BYTEA,
    created_on TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP, modified_on TIMESTAMPTZ, expires_on TIMESTAMPTZ)`)
  await db.query(`INSERT INTO http_sessions (key, data, modified_on, expires_on) VALUES
    ('K', 'old', now() - interval '1 hour', now() + interval '1 day'),
    ('K', 'new', now(), now() + interval '1 day'),
    ('L', 'only', now(), now() + interval '1 day')`)
  const dry = await migrate(db.pool, { dryRun: true })
  assert.deepEqual(
    dry.pending.map((m) => m.id),
    [
      '0001_create_http_sessions',
      '0002_unique_key',
      '0003_lifecycle',
      '0004_fillfactor',
      '0005_go_insert_existing_key',
      '0006_ended_ids',
      '0007_one_key_index',
    ],
  )
  const first = await migrate(db.pool)
  assert.equal(first.applied.length, dry.pending.length)
  const second = await migrate(db.pool)
  assert.deepEqual(second.applied, [])
  const rows =
    await db.query(`SELECT convert_from(key, 'UTF8') AS key, convert_from(data, 'UTF8') AS data
    FROM http_sessions ORDER BY key`)
  assert.deepEqual(rows.rows, [
    { key: 'K', data: 'new' },
    { key: 'L', data: 'only' },
  ])
  // Key is unique: an insert stamped now(), as ours are, bypasses 0005's trigger and hits the index.
  await assert.rejects(
    db.query(`INSERT INTO http_sessions (key, modified_on) VALUES ('L', now())`),
    { code: '23505' },
  )
  // An insert of an existing key with any other modified_on (Go's clock) updates that one row.
  await db.query(`INSERT INTO http_sessions (key, data) VALUES ('L', 'again')`)
  const l = await db.query(`SELECT convert_from(data, 'UTF8') AS data FROM http_sessions
    WHERE key = 'L'`)
  assert.deepEqual(l.rows, [{ data: 'again' }])
  // Go pgstore's own INSERT still works on the migrated table.
  await db.query(`INSERT INTO http_sessions (key, data, created_on, modified_on, expires_on)
    VALUES ('M', 'go', now(), now(), now() + interval '1 day')`)
  await db.drop()
})

test('four migrators at once: each migration is applied exactly once', async () => {
  const db = await createTestSchema('migrate-race')
  const shipped = (await migrate(db.pool, { dryRun: true })).pending.length
  const results = await Promise.all([1, 2, 3, 4].map(() => migrate(db.pool)))
  assert.equal(
    results.reduce((n, r) => n + r.applied.length, 0),
    shipped,
  )
  const ledger = await db.query('SELECT count(*)::int AS n FROM pgstore_migrations')
  assert.equal(ledger.rows[0].n, shipped)
  await db.drop()
})

test('deleteExpired deletes only expired rows, in bounded batches', async () => {
  const db = await createTestSchema('cleanup')
  const store = await newPGStoreFromPool(db.pool, hashKey, { cleanupBatchSize: 100 })
  await db.query(`INSERT INTO http_sessions (key, data, modified_on, expires_on)
    SELECT ('E' || i)::bytea, 'x', now(), now() - interval '1 minute' FROM generate_series(1, 250) i`)
  await db.query(`INSERT INTO http_sessions (key, data, modified_on, expires_on)
    SELECT ('L' || i)::bytea, 'x', now(), now() + interval '1 minute' FROM generate_series(1, 30) i`)
  const report = await store.deleteExpired()
  assert.equal(report.deleted, 250)
  assert.equal(report.batches, 3)
  const left = await db.query('SELECT count(*)::int AS n FROM http_sessions')
  assert.equal(left.rows[0].n, 30)
  await store.close()
  await db.drop()
})

test('close() stops every cleanup and ends only a pool the store owns', async () => {
  const db = await createTestSchema('close')
  const store = await newPGStoreFromPool(db.pool, hashKey)
  const a = store.cleanup(10)
  const b = store.cleanup(10)
  await store.close()
  assert.equal(a.running, false)
  assert.equal(b.running, false)
  const still = await db.query('SELECT 1 AS one') // the caller's pool is still usable
  assert.equal(still.rows[0].one, 1)
  await assert.rejects(store.new(request(), 'sid'), { code: 'ERR_STORE_CLOSED' })
  await db.drop()
})

test('key rotation: a cookie signed with an old pair loads and is re-issued with the new pair', async () => {
  const oldPair = ['old-hash-key-0123456789abcdefghij', 'old-block-key-0123456789abcdefgh'].map(
    (key) => Buffer.from(key),
  )
  const newPair = ['new-hash-key-0123456789abcdefghij', 'new-block-key-0123456789abcdefgh'].map(
    (key) => Buffer.from(key),
  )
  const before = new PGStore(fx.db.pool, oldPair, { cookie: { secure: false } })
  const session = await before.new(request(), 'rot')
  session.values.user = 'ada'
  const oldCookie = await before.commit(session)
  assert.ok(oldCookie)
  const rotated = new PGStore(fx.db.pool, [...newPair, ...oldPair], { cookie: { secure: false } })
  const loaded = await rotated.load(oldCookie, 'rot')
  assert.equal(loaded.values.user, 'ada')
  const reissued = await rotated.commit(loaded) // nothing changed: no write, but a new cookie
  assert.ok(reissued)
  const newOnly = new PGStore(fx.db.pool, newPair, { cookie: { secure: false } })
  assert.equal((await newOnly.load(oldCookie, 'rot')).error?.code, 'ERR_COOKIE_MAC_INVALID')
  // The data column is still under the old pair until the next write; the cookie is already new.
  const withBoth = await rotated.load(reissued, 'rot')
  assert.equal(withBoth.values.user, 'ada')
  withBoth.values.user = 'grace'
  await rotated.commit(withBoth)
  assert.equal((await newOnly.load(reissued, 'rot')).values.user, 'grace')
})
