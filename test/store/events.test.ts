/**
 * PGStore's observability events against a real PostgreSQL: each lifecycle step emits its event
 * with the documented payload, and no payload carries a session id, a cookie, a key or a value.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { inspect } from 'node:util'
import {
  newPGStoreFromPool,
  PGStore,
  type PgStoreError,
  type Session,
  type StoreEvents,
} from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

const hashKey = Buffer.from('events-hash-key-0123456789abcdef')
const blockKey = Buffer.from('events-block-key-0123456789abcde')
const secretValue = 'value-that-must-never-be-logged'
const owner = 'owner-7f3a'
const eventNames: Array<keyof StoreEvents> = [
  'created',
  'loaded',
  'miss',
  'decodeFailed',
  'saved',
  'touched',
  'writeSkipped',
  'renewed',
  'destroyed',
  'cleanup',
  'error',
]

type Recorded = { event: keyof StoreEvents; payload: unknown }

let db: TestSchema
let store: PGStore
const log: Recorded[] = []
// Everything no payload may contain: filled as sessions and cookies are made.
const secrets = new Set<string>([hashKey.toString(), blockKey.toString(), secretValue])

function record(target: PGStore): void {
  for (const event of eventNames) {
    target.events.on(event, ((payload: unknown) => log.push({ event, payload })) as never)
  }
}

/** The events emitted while `step` runs. */
async function during(step: () => Promise<unknown>): Promise<Recorded[]> {
  const mark = log.length
  await step()
  return log.slice(mark)
}

function cookieOf(setCookie: string | undefined): string {
  assert.ok(setCookie, 'a Set-Cookie header')
  const pair = setCookie.split(';')[0] ?? ''
  secrets.add(pair.slice(pair.indexOf('=') + 1))
  return pair
}

function remember(session: Session): void {
  if (session.id) secrets.add(session.id)
}

before(async () => {
  db = await createTestSchema('store events')
  store = await newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false } })
  record(store)
})
after(async () => {
  await store.close()
  await db.drop()
})

test('a visit without a cookie: miss (no-cookie); an empty new session: writeSkipped', async () => {
  let session: Session | undefined
  assert.deepEqual(await during(async () => (session = await store.load(undefined, 'sid'))), [
    { event: 'miss', payload: { name: 'sid', reason: 'no-cookie' } },
  ])
  assert.ok(session)
  assert.deepEqual(await during(() => store.commit(session as Session)), [
    { event: 'writeSkipped', payload: { name: 'sid' } },
  ])
})

test('created, loaded, writeSkipped, saved, renewed, miss (no-row), destroyed, in order', async () => {
  const fresh = await store.load(undefined, 'sid')
  fresh.values.secret = secretValue
  fresh.owner = owner
  let setCookie: string | undefined
  assert.deepEqual(await during(async () => (setCookie = await store.commit(fresh))), [
    { event: 'created', payload: { name: 'sid' } },
  ])
  remember(fresh)
  const cookie = cookieOf(setCookie)

  let loaded: Session | undefined
  assert.deepEqual(await during(async () => (loaded = await store.load(cookie, 'sid'))), [
    { event: 'loaded', payload: { name: 'sid' } },
  ])
  const session = loaded as Session
  assert.deepEqual(await during(() => store.commit(session)), [
    { event: 'writeSkipped', payload: { name: 'sid' } },
  ])
  session.values.more = `${secretValue}-2`
  assert.deepEqual(await during(() => store.commit(session)), [
    { event: 'saved', payload: { name: 'sid' } },
  ])

  const renewed = await during(() => store.renew(session))
  assert.deepEqual(renewed, [{ event: 'renewed', payload: { name: 'sid' } }])
  remember(session)
  const newCookie = cookieOf(await store.commit(session))
  assert.deepEqual(await during(() => store.load(cookie, 'sid')), [
    { event: 'miss', payload: { name: 'sid', reason: 'no-row' } },
  ])

  const again = await store.load(newCookie, 'sid')
  assert.deepEqual(await during(() => store.destroy(again)), [
    { event: 'destroyed', payload: { name: 'sid', count: 1 } },
  ])
  // The commit after destroy only expires the cookie: the row is not deleted twice.
  assert.deepEqual(
    (await during(() => store.commit(again))).map((r) => r.event),
    [],
  )
})

test('maxAge < 0 on commit deletes the row and emits destroyed with its count', async () => {
  const made = await store.load(undefined, 'sid')
  made.values.n = 1
  const cookie = cookieOf(await store.commit(made))
  remember(made)
  const session = await store.load(cookie, 'sid')
  session.options.maxAge = -1
  assert.deepEqual(await during(() => store.commit(session)), [
    { event: 'destroyed', payload: { name: 'sid', count: 1 } },
  ])
})

test('revoking an owner’s sessions emits destroyed with the number deleted, no owner', async () => {
  for (let i = 0; i < 2; i++) {
    const session = await store.load(undefined, 'sid')
    session.values.i = i
    session.owner = 'revoked-owner'
    cookieOf(await store.commit(session))
    remember(session)
  }
  assert.deepEqual(await during(() => store.revokeSessions('revoked-owner')), [
    { event: 'destroyed', payload: { name: '', count: 2 } },
  ])
})

test('a tampered or garbage cookie emits decodeFailed with the error code of session.error', async () => {
  const made = await store.load(undefined, 'sid')
  made.values.secret = secretValue
  const cookie = cookieOf(await store.commit(made))
  remember(made)
  const tampered = `${cookie.slice(0, -3)}${cookie.endsWith('AAA') ? 'BBB' : 'AAA'}`
  secrets.add(tampered.slice(tampered.indexOf('=') + 1))
  for (const header of [tampered, 'sid=not-a-cookie!!']) {
    let session: Session | undefined
    const events = await during(async () => (session = await store.load(header, 'sid')))
    const error = session?.error
    assert.ok(error, 'the load reports its decode error')
    assert.equal(error.kind, 'decode')
    assert.deepEqual(events, [
      { event: 'decodeFailed', payload: { name: 'sid', code: error.code } },
    ])
  }
})

test('an unchanged session past touchAfter emits touched', async () => {
  const touching = new PGStore(db.pool, [hashKey, blockKey], {
    touchAfter: 0,
    cookie: { secure: false },
  })
  record(touching)
  const made = await touching.load(undefined, 'sid')
  made.values.n = 1
  const cookie = cookieOf(await touching.commit(made))
  remember(made)
  const session = await touching.load(cookie, 'sid')
  let sent: string | undefined
  assert.deepEqual(await during(async () => (sent = await touching.commit(session))), [
    { event: 'touched', payload: { name: 'sid' } },
  ])
  cookieOf(sent)
})

test('cleanup emits its count, batches, duration and lock state', async () => {
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    const session = await store.load(undefined, 'sid')
    session.values.i = i
    cookieOf(await store.commit(session))
    remember(session)
    ids.push(session.id)
  }
  await db.query(
    `UPDATE http_sessions SET expires_on = now() - interval '1 second' WHERE key = ANY($1)`,
    [ids],
  )
  const events = await during(() => store.deleteExpired({ batchSize: 2 }))
  assert.equal(events.length, 1)
  assert.equal(events[0]?.event, 'cleanup')
  const payload = events[0]?.payload as StoreEvents['cleanup'][0]
  assert.deepEqual(
    { deleted: payload.deleted, batches: payload.batches, locked: payload.locked },
    { deleted: 3, batches: 2, locked: true },
  )
  assert.ok(Number.isFinite(payload.durationMs) && payload.durationMs >= 0)
})

test('a failing background cleanup emits error with a typed store error', async () => {
  const broken = await createTestSchema('store events broken')
  const failing = await newPGStoreFromPool(broken.pool, hashKey, blockKey)
  record(failing)
  try {
    await broken.query('DROP TABLE http_sessions')
    const handle = failing.cleanup(10)
    const [error] = (await once(failing.events, 'error')) as [PgStoreError]
    await failing.stopCleanup(handle)
    assert.equal(error.kind, 'store')
    assert.equal(error.code, 'ERR_STORE_TABLE_MISSING')
    assert.ok(log.some((r) => r.event === 'error' && r.payload === error))
  } finally {
    await failing.close()
    await broken.drop()
  }
})

test('no payload of any event carries a session id, a cookie, a key, a value or an owner', () => {
  const seen = new Set(log.map((r) => r.event))
  for (const event of eventNames) assert.ok(seen.has(event), `${event} was emitted`)
  secrets.add(owner)
  secrets.add('revoked-owner')
  assert.ok(secrets.size > 10, 'the ids and cookies of the sessions above were collected')
  for (const { event, payload } of log) {
    const error = payload instanceof Error ? (payload as PgStoreError) : undefined
    const texts = [
      inspect(payload, { depth: 10, showHidden: false }),
      JSON.stringify(payload),
      error ? `${error.message} ${error.stack}` : '',
    ]
    for (const secret of secrets) {
      for (const text of texts) {
        assert.ok(!text.includes(secret), `${event} payload leaks a secret: ${text}`)
      }
    }
  }
})
