/**
 * Sign-in and renewal against session fixation: binding an owner rotates the id in the same
 * statement that deletes the old row, and a renewed session keeps its creation time, so the
 * absolute timeout cannot be stretched by renewing.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  newPGStoreFromPool,
  type PGStore,
  type PGStoreOptions,
  type Session,
} from '../../src/index.ts'
import { countStatements, createTestSchema, type TestSchema } from '../support/pg.ts'
import { blockKey, hashKey } from './helpers.ts'

let db: TestSchema
let counter: ReturnType<typeof countStatements>
before(async () => {
  db = await createTestSchema('sign-in')
  counter = countStatements(db.pool)
})
after(() => db.drop())

const makeStore = (options: PGStoreOptions = {}): Promise<PGStore> =>
  newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false }, ...options })

const rowsOf = async (id: string) =>
  (await db.query('SELECT count(*)::int AS n FROM http_sessions WHERE key = $1', [id])).rows[0].n

/** The attacker's own anonymous session: a real cookie the attacker can plant in a browser. */
async function plantedCookie(store: PGStore) {
  const session = await store.load(undefined, 'sid')
  session.values.cart = ['planted']
  const cookie = await store.commit(session)
  assert.ok(cookie)
  return { cookie, id: session.id }
}

test('sign-in (owner none to user) rotates the id in one statement; the planted cookie loads empty', async () => {
  const store = await makeStore()
  const planted = await plantedCookie(store)
  // The victim's browser carries the planted cookie and signs in.
  const victim = await store.load(planted.cookie, 'sid')
  assert.equal(victim.isNew, false)
  victim.owner = 'victim'
  victim.values.user = 'victim'
  const mark = counter.total()
  const issued = await store.commit(victim)
  const writes = counter.statementsSince(mark)
  assert.equal(writes.length, 1, 'one statement')
  assert.match(writes[0] ?? '', /DELETE[\s\S]*INSERT/)
  assert.ok(issued, 'the new cookie is sent')
  assert.notEqual(victim.id, planted.id)
  assert.equal(await rowsOf(planted.id), 0)

  const attacker = await store.load(planted.cookie, 'sid')
  assert.equal(attacker.isNew, true)
  assert.equal(attacker.owner, undefined)
  assert.equal(attacker.values.user, undefined)
  const signedIn = await store.load(issued, 'sid')
  assert.equal(signedIn.owner, 'victim')
  assert.deepEqual({ ...signedIn.values }, { cart: ['planted'], user: 'victim' })
  assert.equal((await store.listSessions('victim')).length, 1)
})

test('a change of owner (one user to another) rotates the id too; the same owner does not', async () => {
  const store = await makeStore()
  const first = await store.load(undefined, 'sid')
  first.owner = 'alice'
  first.values.n = 1
  const aliceCookie = await store.commit(first)
  const aliceId = first.id

  const same = await store.load(aliceCookie, 'sid')
  same.values.n = 2
  await store.commit(same)
  assert.equal(same.id, aliceId, 'no rotation while the owner stays')

  const switched = await store.load(aliceCookie, 'sid')
  switched.owner = 'bob'
  const bobCookie = await store.commit(switched)
  assert.notEqual(switched.id, aliceId)
  assert.equal(await rowsOf(aliceId), 0)
  assert.equal((await store.load(aliceCookie, 'sid')).isNew, true)
  assert.equal((await store.load(bobCookie, 'sid')).owner, 'bob')
})

test('rotateOnOwnerChange: false keeps the id (the app renews itself)', async () => {
  const store = await makeStore({ rotateOnOwnerChange: false })
  const planted = await plantedCookie(store)
  const victim = await store.load(planted.cookie, 'sid')
  victim.owner = 'victim'
  await store.commit(victim)
  assert.equal(victim.id, planted.id)
  assert.equal((await store.load(planted.cookie, 'sid')).owner, 'victim')
})

test('renew keeps created_on: renewed every 0.9 s under absoluteTimeout 3, the session ends at 3 s', async () => {
  const store = await makeStore({ absoluteTimeout: 3, touchAfter: 0 })
  const session = await store.load(undefined, 'sid')
  session.values.user = 'ada'
  let cookie = await store.commit(session)
  assert.ok(cookie)
  const createdOn = (
    await db.query('SELECT created_on FROM http_sessions WHERE key = $1', [session.id])
  ).rows[0].created_on as Date

  let renewals = 0
  let endedAt: Date | undefined
  for (let i = 0; i < 8 && !endedAt; i++) {
    await db.query('SELECT pg_sleep(0.9)')
    const loaded: Session = await store.load(cookie, 'sid')
    if (loaded.isNew) {
      endedAt = (await db.query('SELECT now() AS now')).rows[0].now as Date
      break
    }
    await store.renew(loaded)
    cookie = (await store.commit(loaded)) ?? cookie
    renewals++
    const row = await db.query('SELECT created_on FROM http_sessions WHERE key = $1', [loaded.id])
    assert.equal((row.rows[0].created_on as Date).getTime(), createdOn.getTime())
  }
  assert.ok(renewals >= 2, `renewed ${renewals} times before the end`)
  assert.ok(endedAt, 'renewing did not extend the session past its absolute timeout')
  // By the database clock, the session ended no earlier than 3 s after its first creation.
  assert.ok(endedAt.getTime() - createdOn.getTime() >= 3000)
})
