/**
 * CookieStore (values in the cookie) against the cookies Go's sessions.CookieStore v1.2.1 wrote
 * (`cookiestore_vectors`), with the gob serializer, plus its own behaviour.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gobSerializer } from '../../src/codec/gob/index.ts'
import { CookieStore, jsonSerializer } from '../../src/index.ts'
import { keySet, vectors } from '../codec/go-vectors.ts'
import { type GoRecorded, toJs } from '../gob/go-values.ts'

interface CookieStoreVector {
  id: string
  key_sets: string[]
  session_name: string
  values: unknown
  cookie_value: string
  made_at_unix: string
  read_back?: { reader_key_sets: string[]; values: unknown }
}

const list = (vectors as unknown as { cookiestore_vectors: CookieStoreVector[] })
  .cookiestore_vectors

function pairs(ids: string[]): Array<Uint8Array | null> {
  return ids.flatMap((id) => {
    const { hashKey, blockKey } = keySet(id)
    return [hashKey, blockKey]
  })
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
}

for (const vector of list) {
  test(`cookiestore_vectors/${vector.id}: Go's cookie reads back with Go's values`, async () => {
    const readers = vector.read_back?.reader_key_sets ?? vector.key_sets
    const store = new CookieStore(pairs(readers), {
      serializer: gobSerializer,
      cookie: { secure: false },
      // The cookie's signed timestamp is from the day the vectors were made.
      now: () => Number(vector.made_at_unix) * 1000,
    })
    const session = await store.load(
      `${vector.session_name}=${vector.cookie_value}`,
      vector.session_name,
    )
    assert.equal(session.error, undefined)
    assert.equal(session.isNew, false)
    assert.deepEqual(plain({ ...session.values }), plain(toJs(vector.values as GoRecorded, false)))
    // Saving re-encodes with the first (newest) pair; the old pair alone can no longer read it.
    session.values.seen = true
    const setCookie = await store.commit(session)
    assert.ok(setCookie)
    const again = await store.load(setCookie, vector.session_name)
    assert.equal(again.values.seen, true)
    if (readers.length > 2) {
      const oldOnly = new CookieStore(pairs(vector.key_sets), {
        serializer: gobSerializer,
        now: () => Number(vector.made_at_unix) * 1000,
      })
      const rejected = await oldOnly.load(setCookie, vector.session_name)
      assert.equal(rejected.error?.code, 'ERR_COOKIE_MAC_INVALID')
    }
  })
}

test('cookiestore_bad_cookie: an undecodable cookie gives a new empty session and the decode error', async () => {
  const store = new CookieStore([Buffer.from('hash-key-0123456789abcdefghijklm')])
  const session = await store.load('session-key=a%%b', 'session-key')
  assert.equal(session.isNew, true)
  assert.equal(Object.keys(session.values).length, 0)
  assert.equal(session.error?.kind, 'decode')
  assert.equal(session.error?.code, 'ERR_COOKIE_BASE64')
})

test('an expired cookie (older than maxAge) is a decode error; maxAge < 0 sends an expiring cookie', async () => {
  let now = 1_700_000_000_000
  const store = new CookieStore([Buffer.from('k'.repeat(32))], {
    serializer: jsonSerializer,
    now: () => now,
  })
  store.maxAge(60)
  const session = await store.load(undefined, 'sid')
  session.values.a = 1
  const cookie = await store.commit(session)
  assert.ok(cookie)
  now += 61_000
  const late = await store.load(cookie, 'sid')
  assert.equal(late.error?.code, 'ERR_COOKIE_EXPIRED')
  late.options.maxAge = -1
  assert.match((await store.commit(late)) ?? '', /^sid=; .*Max-Age=0/)
})

test('a new, empty session sends no cookie', async () => {
  const store = new CookieStore([Buffer.from('k'.repeat(32))])
  const session = await store.load(undefined, 'sid')
  assert.equal(await store.commit(session), undefined)
})
