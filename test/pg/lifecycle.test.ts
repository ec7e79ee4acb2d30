/**
 * The session lifecycle beyond Go pgstore: no writes for unchanged reads, a throttled touch, idle
 * and absolute timeouts decided by the database clock, renewal, destroy, per-owner listing and
 * revocation, and what concurrent saves do.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import pg from 'pg'
import {
  ConflictError,
  encodeMulti,
  jsonSerializer,
  newPGStoreFromPool,
  type PGStore,
  type PGStoreOptions,
  type Session,
} from '../../src/index.ts'
import { countStatements, createTestSchema, type TestSchema } from '../support/pg.ts'
import { blockKey, hashKey, request } from './helpers.ts'

let db: TestSchema
let counter: ReturnType<typeof countStatements>

before(async () => {
  db = await createTestSchema('lifecycle')
  counter = countStatements(db.pool)
})
after(() => db.drop())

async function makeStore(options: PGStoreOptions = {}): Promise<PGStore> {
  return newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false }, ...options })
}

/** Saves `values` in a new session and returns it with its cookie. */
async function create(store: PGStore, values: Record<string, unknown>, owner?: string) {
  const session = await store.new(request(), 'sid')
  Object.assign(session.values, values)
  session.owner = owner
  const cookie = await store.commit(session)
  assert.ok(cookie)
  return { session, cookie }
}

async function row(key: string) {
  const result = await db.query(
    'SELECT xmin::text AS xmin, ctid::text AS ctid, modified_on, expires_on, created_on FROM http_sessions WHERE key = $1',
    [key],
  )
  return result.rows[0]
}

test('100 unchanged reads within touchAfter write nothing and send no cookie', async () => {
  const store = await makeStore({ touchAfter: 3600 })
  const { session, cookie } = await create(store, { user: 'ada', cart: [1, 2, 3] })
  const before = await row(session.id)
  const mark = counter.total()
  for (let i = 0; i < 100; i++) {
    const loaded = await store.load(cookie, 'sid')
    assert.equal(loaded.values.user, 'ada')
    assert.equal(await store.commit(loaded), undefined)
  }
  const sent = counter.statementsSince(mark)
  assert.equal(sent.length, 100, 'exactly one statement per request')
  assert.ok(
    sent.every((text) => /^\s*SELECT/.test(text)),
    'every statement a SELECT',
  )
  // On the server: an UPDATE would have made a new row version (new xmin and ctid).
  const afterwards = await row(session.id)
  assert.equal(afterwards.xmin, before.xmin)
  assert.equal(afterwards.ctid, before.ctid)
  assert.deepEqual(afterwards.modified_on, before.modified_on)
})

test('a changed value is one SELECT and one UPDATE; nested changes are seen', async () => {
  const store = await makeStore({ touchAfter: 3600 })
  const { cookie } = await create(store, { cart: { items: [1] } })
  const mark = counter.total()
  const loaded = await store.load<{ cart: { items: number[] } }>(cookie, 'sid')
  loaded.values.cart?.items.push(2)
  assert.equal(await store.commit(loaded), undefined, 'the browser cookie is fresh: not re-sent')
  const sent = counter.statementsSince(mark)
  assert.equal(sent.length, 2)
  assert.match(sent[1] ?? '', /^\s*UPDATE/)
  assert.deepEqual((await store.load(cookie, 'sid')).values.cart, { items: [1, 2] })
})

test('after a write the cookie is re-sent only when it is older than touchAfter or its options changed', async () => {
  const clock = { now: Date.now() }
  const store = await makeStore({ touchAfter: 60, now: () => clock.now })
  const { session, cookie } = await create(store, { n: 0 })
  const before = await row(session.id)
  // Within touchAfter: the write moves neither the cookie nor the indexed expiry (a HOT update).
  const soon = await store.load<{ n: number }>(cookie, 'sid')
  soon.values.n = 1
  assert.equal(await store.commit(soon), undefined)
  const afterWrite = await row(session.id)
  assert.deepEqual(afterWrite.expires_on, before.expires_on)
  assert.ok(afterWrite.modified_on > before.modified_on)
  // The cookie the browser holds was signed 61 s ago: the next write re-sends it.
  clock.now += 61_000
  const later = await store.load<{ n: number }>(cookie, 'sid')
  later.values.n = 2
  const resent = await store.commit(later)
  assert.ok(resent)
  // A new maxAge must reach both the browser and the row, even with no value changed.
  const remember = await store.load(resent, 'sid')
  remember.options.maxAge = 86400 * 365
  const longer = await store.commit(remember)
  assert.match(longer ?? '', /Max-Age=31536000/)
  const days = ((await row(session.id)).expires_on - Date.now()) / 86400_000
  assert.ok(days > 364, `row expiry follows the new maxAge (${days} days)`)
})

test('an unchanged session is touched once touchAfter has passed, and the cookie is re-sent', async () => {
  const store = await makeStore({ touchAfter: 60 })
  const { session, cookie } = await create(store, { a: 1 })
  await db.query(
    `UPDATE http_sessions SET modified_on = now() - interval '61 seconds', expires_on = now() + interval '1 hour' WHERE key = $1`,
    [session.id],
  )
  const before = await row(session.id)
  const loaded = await store.load(cookie, 'sid')
  const resent = await store.commit(loaded)
  assert.ok(resent, 'cookie re-sent')
  assert.match(resent, /Max-Age=2592000/)
  const after1 = await row(session.id)
  assert.ok(after1.modified_on > before.modified_on)
  assert.ok(after1.expires_on > before.expires_on, 'expiry extended')
  // The next read is within touchAfter again: no write.
  const again = await store.load(cookie, 'sid')
  assert.equal(await store.commit(again), undefined)
  assert.equal((await row(session.id)).xmin, after1.xmin)
})

test('idle timeout: by the database clock, a session idle too long is gone; activity slides it', async () => {
  const store = await makeStore({ idleTimeout: 600, touchAfter: 30 })
  const { session, cookie } = await create(store, { a: 1 })
  const fresh = await row(session.id)
  const window = (fresh.expires_on - fresh.modified_on) / 1000
  assert.ok(Math.abs(window - 600) < 1, 'expiry is idleTimeout after the write')
  // 9 minutes idle: still alive, and the read touches it (past touchAfter).
  await db.query(
    `UPDATE http_sessions SET modified_on = now() - interval '9 minutes' WHERE key = $1`,
    [session.id],
  )
  const alive = await store.load(cookie, 'sid')
  assert.equal(alive.isNew, false)
  assert.ok(await store.commit(alive))
  // 11 minutes idle: gone, even though expires_on is still ahead.
  await db.query(
    `UPDATE http_sessions SET modified_on = now() - interval '11 minutes', expires_on = now() + interval '1 hour' WHERE key = $1`,
    [session.id],
  )
  const gone = await store.load(cookie, 'sid')
  assert.equal(gone.isNew, true)
})

test('absolute timeout: counted from creation, never extended by activity', async () => {
  const store = await makeStore({ absoluteTimeout: 3600, touchAfter: 0 })
  const { session, cookie } = await create(store, { a: 1 })
  const fresh = await row(session.id)
  assert.ok(
    (fresh.expires_on - fresh.created_on) / 1000 <= 3600.5,
    'expiry capped at creation + absolute',
  )
  // Created 59 minutes ago and active now: a write cannot extend past creation + 1 h.
  await db.query(
    `UPDATE http_sessions SET created_on = now() - interval '59 minutes' WHERE key = $1`,
    [session.id],
  )
  const active = await store.load(cookie, 'sid')
  active.values.a = 2
  await store.commit(active)
  const capped = await row(session.id)
  assert.ok((capped.expires_on - capped.created_on) / 1000 <= 3600.5)
  // Created 61 minutes ago: gone, whatever expires_on says.
  await db.query(
    `UPDATE http_sessions SET created_on = now() - interval '61 minutes', expires_on = now() + interval '1 day' WHERE key = $1`,
    [session.id],
  )
  assert.equal((await store.load(cookie, 'sid')).isNew, true)
})

test('the application clock ±10 minutes changes no expiry decision', async () => {
  for (const skew of [-600_000, 600_000]) {
    const store = await makeStore({ idleTimeout: 300, now: () => Date.now() + skew })
    const { session, cookie } = await create(store, { a: 1 })
    const r = await row(session.id)
    assert.ok(Math.abs((r.expires_on - r.modified_on) / 1000 - 300) < 1)
    assert.equal((await store.load(cookie, 'sid')).isNew, false)
  }
})

test('renew: new id, same values, old row gone, old cookie loads as a new empty session', async () => {
  const store = await makeStore()
  const { session, cookie } = await create(store, { user: 'ada' }, 'ada')
  const oldId = session.id
  const loaded = await store.load(cookie, 'sid')
  await store.renew(loaded)
  assert.notEqual(loaded.id, oldId)
  const newCookie = await store.commit(loaded)
  assert.ok(newCookie, 'the new cookie is sent')
  assert.equal(await row(oldId), undefined)
  const stale = await store.load(cookie, 'sid')
  assert.equal(stale.isNew, true)
  assert.equal(stale.values.user, undefined)
  const fresh = await store.load(newCookie, 'sid')
  assert.equal(fresh.values.user, 'ada')
  assert.equal(fresh.owner, 'ada')
})

test('destroy: row deleted, expiring cookie; a save racing the destroy never brings it back', async () => {
  const store = await makeStore()
  const { session, cookie } = await create(store, { a: 1 })
  const requestA = await store.load(cookie, 'sid')
  const requestB = await store.load(cookie, 'sid')
  await store.destroy(requestB)
  const expiring = await store.commit(requestB)
  assert.match(expiring ?? '', /^sid=; .*Max-Age=0/)
  requestA.values.a = 2
  await assert.rejects(store.commit(requestA), (error) => {
    assert.ok(error instanceof ConflictError)
    assert.equal(error.reason, 'gone')
    return true
  })
  assert.equal(await row(session.id), undefined, 'no resurrection')
  // A renew racing a destroy fails the same way.
  const { cookie: c2 } = await create(store, { a: 1 })
  const r1 = await store.load(c2, 'sid')
  const r2 = await store.load(c2, 'sid')
  await store.destroy(r2)
  await assert.rejects(store.renew(r1), { code: 'ERR_STORE_CONFLICT' })
})

test('per-owner sessions: list with times and user agent, revoke one, revoke all but current', async () => {
  const store = await makeStore()
  const owner = `user-${Math.random()}`
  const sessions: { session: Session; cookie: string }[] = []
  for (let i = 0; i < 4; i++) {
    const s = await store.new(request(), 'sid')
    s.values.i = i
    s.owner = owner
    const cookie = await store.commit(s, { userAgent: `agent-${i}` })
    sessions.push({ session: s, cookie: cookie ?? '' })
  }
  const current = sessions[3]!.session
  const listed = await store.listSessions(owner, current)
  assert.equal(listed.length, 4)
  assert.equal(listed.filter((s) => s.current).length, 1)
  assert.deepEqual(listed.map((s) => s.userAgent).sort(), [
    'agent-0',
    'agent-1',
    'agent-2',
    'agent-3',
  ])
  for (const s of listed) {
    assert.ok(
      s.createdOn instanceof Date && s.lastActive >= s.createdOn && s.expiresOn > s.lastActive,
    )
    assert.doesNotMatch(s.handle, /[A-Z]/, 'the handle is not the session id')
  }
  const victim = listed.find((s) => !s.current)!
  assert.equal(await store.revokeSession(owner, victim.handle), true)
  assert.equal(await store.revokeSession('someone-else', listed[0]!.handle), false)
  assert.equal(await store.revokeSessions(owner, { except: current }), 2)
  const loadable = []
  for (const { cookie } of sessions) loadable.push(!(await store.load(cookie, 'sid')).isNew)
  assert.deepEqual(loadable, [false, false, false, true])
})

test('optimistic versioning: the second of two concurrent saves gets a typed conflict', async () => {
  const store = await makeStore({ concurrency: 'optimistic' })
  const { cookie } = await create(store, { n: 0 })
  const a = await store.load<{ n: number }>(cookie, 'sid')
  const b = await store.load<{ n: number }>(cookie, 'sid')
  a.values.n = 1
  b.values.n = 2
  await store.commit(a)
  await assert.rejects(
    store.commit(b),
    (error) => error instanceof ConflictError && error.reason === 'version',
  )
  assert.equal((await store.load(cookie, 'sid')).values.n, 1)
  // Reloading and retrying succeeds.
  const retry = await store.load<{ n: number }>(cookie, 'sid')
  retry.values.n = 2
  await store.commit(retry)
  assert.equal((await store.load(cookie, 'sid')).values.n, 2)
})

test('merge mode: concurrent requests changing different keys both survive', async () => {
  const store = await makeStore({ concurrency: 'merge' })
  const { cookie } = await create(store, { keep: true })
  const requests = await Promise.all(
    Array.from({ length: 20 }, () => store.load<Record<string, number>>(cookie, 'sid')),
  )
  await Promise.all(
    requests.map((session, i) => {
      session.values[`k${i}`] = i
      return store.commit(session)
    }),
  )
  const final = await store.load<Record<string, unknown>>(cookie, 'sid')
  for (let i = 0; i < 20; i++) assert.equal(final.values[`k${i}`], i, `k${i} survived`)
  assert.equal(final.values.keep, true)
  // A deleted key is deleted, not resurrected from the row.
  const remover = await store.load<Record<string, unknown>>(cookie, 'sid')
  delete remover.values.k0
  await store.commit(remover)
  assert.equal((await store.load(cookie, 'sid')).values.k0, undefined)
})

test('10,000 randomized concurrent save / destroy / renew operations: 0 resurrections, 0 torn values', async () => {
  const store = await makeStore({ touchAfter: 3600, table: 'race_sessions' })
  let { cookie } = await create(store, { a: 0, b: 0 })
  const dead = new Set<string>() // ids destroyed or renewed away: must never have a row again
  let conflicts = 0
  let step = 0
  const operation = async () => {
    const n = ++step
    const session = await store.load<{ a: number; b: number }>(cookie, 'sid')
    const id = session.id
    const pick = Math.random()
    try {
      if (pick < 0.7) {
        session.values.a = n
        session.values.b = n
        const sent = await store.commit(session)
        if (sent && session.id) cookie = sent
      } else if (pick < 0.85) {
        await store.destroy(session)
        await store.commit(session)
        if (id) dead.add(id)
      } else if (!session.isNew) {
        await store.renew(session)
        const sent = await store.commit(session)
        dead.add(id)
        if (sent) cookie = sent
      }
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error
      conflicts++
    }
  }
  const total = 10_000
  const concurrency = 8
  for (let done = 0; done < total; done += concurrency) {
    await Promise.all(Array.from({ length: concurrency }, operation))
  }
  const rows = await db.query(`SELECT convert_from(key, 'UTF8') AS key FROM race_sessions`)
  const resurrected = rows.rows.filter((r) => dead.has(r.key)).length
  assert.equal(resurrected, 0, 'no destroyed or renewed id has a row')
  // Torn values: every live session holds one writer's snapshot (a === b).
  let torn = 0
  for (const r of rows.rows) {
    const s = await store.load<{ a: number; b: number }>(
      `sid=${encodeMulti('sid', r.key, store.codecs)}`,
      'sid',
    )
    if (!s.isNew && s.values.a !== s.values.b) torn++
  }
  assert.equal(torn, 0)
  assert.ok(dead.size > 100, `destroys and renews happened (${dead.size})`)
  assert.ok(conflicts > 0, `some saves lost a race and were refused (${conflicts})`)
})

test('writes within touchAfter are HOT updates: PostgreSQL writes no index entry for them', async () => {
  // One connection of its own, ended before reading: a backend publishes its statistics on exit.
  const pool = new pg.Pool({
    connectionString: db.url,
    max: 1,
    options: `-c search_path=${db.schema}`,
  })
  const store = await newPGStoreFromPool(pool, hashKey, blockKey, {
    table: 'hot_sessions',
    touchAfter: 3600,
    cookie: { secure: false },
  })
  const { cookie } = await create(store, { n: 0 })
  for (let n = 1; n <= 20; n++) {
    const session = await store.load<{ n: number }>(cookie, 'sid')
    session.values.n = n
    await store.commit(session)
  }
  await store.close()
  await pool.end()
  let stats = { updates: 0, hot: 0 }
  for (let tries = 0; tries < 50 && stats.updates < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const result = await db.query(
      `SELECT pg_stat_clear_snapshot(), n_tup_upd::int AS updates, n_tup_hot_upd::int AS hot
       FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'hot_sessions'`,
      [db.schema],
    )
    stats = result.rows[0] ?? stats
  }
  assert.equal(stats.updates, 20)
  assert.equal(stats.hot, 20, 'every update stayed on its page and skipped the indexes')
})

test('a repeated cookie is verified once, and an unchanged row is decoded once', async () => {
  let reads = 0
  const counting = {
    name: 'json',
    serialize: (value: unknown) => jsonSerializer.serialize(value),
    deserialize: (bytes: Uint8Array) => {
      reads++
      return jsonSerializer.deserialize(bytes)
    },
  }
  const store = await makeStore({ serializer: counting })
  const { cookie } = await create(store, { a: 1 })
  reads = 0
  await store.load(cookie, 'sid')
  assert.equal(
    reads,
    1,
    'the cookie came from the cache (this store issued it); the row it wrote is parsed once',
  )
  reads = 0
  await store.load(cookie, 'sid')
  assert.equal(reads, 0, 'the same row again: nothing decoded')
  const other = await makeStore({ serializer: counting })
  reads = 0
  await other.load(cookie, 'sid')
  assert.equal(reads, 2, 'a store that never saw the cookie decodes cookie and row')
  reads = 0
  await other.load(cookie, 'sid')
  assert.equal(reads, 0, 'the second time, neither: the cookie and the row are remembered')
  const value = cookie.split(';')[0]!.slice('sid='.length)
  const tampered = `sid=${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`
  assert.equal((await other.load(tampered, 'sid')).error?.code, 'ERR_COOKIE_MAC_INVALID')
})
