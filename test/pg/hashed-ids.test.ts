/**
 * Hashed ids at rest (`hashIds`): the `key` column holds SHA-256 or HMAC-SHA256 of the id, every
 * operation still works by cookie, a dump of the table loads no session, and sessions written with
 * plain ids survive turning the mode on (converted on their next read).
 */
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { after, before, test } from 'node:test'
import {
  encodeMulti,
  newPGStoreFromPool,
  type PGStore,
  type PGStoreOptions,
  UsageError,
} from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { blockKey, hashKey } from './helpers.ts'

let db: TestSchema
before(async () => {
  db = await createTestSchema('hashed-ids')
})
after(() => db.drop())

const makeStore = (options: PGStoreOptions = {}): Promise<PGStore> =>
  newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false }, ...options })

const keysOf = async (owner: string): Promise<Buffer[]> =>
  (await db.query('SELECT key FROM http_sessions WHERE owner = $1', [owner])).rows.map((r) => r.key)

async function saved(store: PGStore, owner: string, values: Record<string, unknown>) {
  const session = await store.load(undefined, 'sid')
  Object.assign(session.values, values)
  session.owner = owner
  const cookie = await store.commit(session)
  assert.ok(cookie)
  return { session, cookie }
}

test('hashIds: true stores SHA-256 of the id; load, update, touch, renew, list, revoke, destroy work', async () => {
  const store = await makeStore({ hashIds: true, touchAfter: 0 })
  const { session, cookie } = await saved(store, 'h-ada', { n: 1 })
  const sha = createHash('sha256').update(session.id).digest()
  assert.deepEqual(await keysOf('h-ada'), [sha])

  const loaded = await store.load(cookie, 'sid')
  assert.equal(loaded.values.n, 1)
  loaded.values.n = 2
  await store.commit(loaded)
  const touched = await store.load(cookie, 'sid')
  assert.equal(touched.values.n, 2)
  await store.commit(touched)

  const [listed] = await store.listSessions('h-ada', touched)
  assert.equal(listed?.current, true)
  await store.renew(touched)
  const renewedCookie = await store.commit(touched)
  assert.ok(renewedCookie)
  assert.equal((await store.load(cookie, 'sid')).isNew, true)
  assert.deepEqual(await keysOf('h-ada'), [createHash('sha256').update(touched.id).digest()])

  const other = await saved(store, 'h-ada', { n: 3 })
  assert.equal(await store.revokeSessions('h-ada', { except: other.session }), 1)
  assert.equal((await store.load(renewedCookie, 'sid')).isNew, true)
  const last = await store.load(other.cookie, 'sid')
  assert.equal(last.values.n, 3)
  await store.destroy(last)
  await store.commit(last)
  assert.deepEqual(await keysOf('h-ada'), [])
})

test('hashIds with a key stores HMAC-SHA256; a dump of the keys loads no session', async () => {
  const secret = 'an-at-rest-key-0123456789abcdefgh'
  const store = await makeStore({ hashIds: secret })
  const { session } = await saved(store, 'h-bob', { n: 1 })
  const mac = createHmac('sha256', secret).update(session.id).digest()
  assert.deepEqual(await keysOf('h-bob'), [mac])
  // The thief has the table and even the cookie keys: the stored key is not an id.
  for (const key of await keysOf('h-bob')) {
    const forged = `sid=${encodeMulti('sid', key.toString('latin1'), store.codecs)}`
    const loaded = await store.load(forged, 'sid')
    assert.equal(loaded.isNew, true)
    assert.equal(loaded.values.n, undefined)
  }
  await assert.rejects(makeStore({ hashIds: '' }), UsageError)
})

test('turning hashIds on keeps existing sessions: converted on their next read', async () => {
  const plain = await makeStore()
  const { session, cookie } = await saved(plain, 'h-carol', { n: 7 })
  assert.deepEqual(await keysOf('h-carol'), [Buffer.from(session.id)])

  const hashed = await makeStore({ hashIds: true })
  const loaded = await hashed.load(cookie, 'sid')
  assert.equal(loaded.isNew, false)
  assert.equal(loaded.values.n, 7)
  assert.deepEqual(await keysOf('h-carol'), [createHash('sha256').update(session.id).digest()])
  loaded.values.n = 8
  await hashed.commit(loaded)
  assert.equal((await hashed.load(cookie, 'sid')).values.n, 8)

  // An unknown id is still a miss, and creates nothing.
  const unknown = await hashed.load(
    `sid=${encodeMulti('sid', 'A'.repeat(52), hashed.codecs)}`,
    'sid',
  )
  assert.equal(unknown.isNew, true)
  assert.deepEqual(await keysOf('h-carol'), [createHash('sha256').update(session.id).digest()])
})
