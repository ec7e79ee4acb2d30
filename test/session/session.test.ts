/**
 * Session, flashes, ids and the per-request registry (gorilla/sessions TestFlashes, registry and
 * id rules), on the CookieStore so no database is needed.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CookieStore, getRegistry, newSessionId, Session, saveAll } from '../../src/index.ts'
import { vectors } from '../codec/go-vectors.ts'

const store = new CookieStore([Buffer.from('secret-key')], { cookie: { secure: false } })

function requestWith(setCookie?: string): Request {
  const headers = new Headers()
  if (setCookie) headers.set('cookie', setCookie.split(';')[0] ?? '')
  return new Request('http://localhost/', { headers })
}

test('TestFlashes: flashes are kept across a save and shown once, per key', async () => {
  // Round 1: no flashes yet; add two default flashes and one under a custom key.
  const req1 = requestWith()
  const session = await store.get(req1, 'session-key')
  assert.deepEqual(session.flashes(), [])
  session.addFlash('foo')
  session.addFlash('bar')
  session.addFlash('baz', 'custom_key')
  const res1 = new Headers()
  await saveAll(req1, res1)
  const cookies = res1.getSetCookie()
  assert.equal(cookies.length, 1)
  await assert.rejects(store.get(req1, 'session:key'), { code: 'ERR_INVALID_COOKIE_NAME' })

  // Round 2: the flashes come back once, then they are gone.
  const req2 = requestWith(cookies[0])
  const loaded = await store.get(req2, 'session-key')
  assert.deepEqual(loaded.flashes(), ['foo', 'bar'])
  assert.deepEqual(loaded.flashes(), [])
  assert.deepEqual(loaded.flashes('custom_key'), ['baz'])
  assert.deepEqual(loaded.flashes('custom_key'), [])

  // Round 3/4: a structured flash reads back as the same value.
  loaded.addFlash({ type: 42, message: 'foo' })
  const res2 = new Headers()
  await store.save(req2, res2, loaded)
  const again = await store.get(requestWith(res2.getSetCookie()[0]), 'session-key')
  assert.deepEqual(again.flashes(), [{ type: 42, message: 'foo' }])
})

test('a value that is not a list under the flash key is a typed error, not a crash (Go panics)', async () => {
  const session = await store.new(requestWith(), 'sid')
  session.values._flash = 'not a list'
  assert.throws(() => session.addFlash('x'), { code: 'ERR_INVALID_SESSION' })
  assert.throws(() => session.flashes(), { code: 'ERR_INVALID_SESSION' })
})

test('the registry loads each name once per request and keeps several names apart', async () => {
  const req = requestWith()
  const a1 = await store.get(req, 'a')
  const a2 = await store.get(req, 'a')
  const b = await store.get(req, 'b')
  assert.equal(a1, a2)
  assert.notEqual(a1, b)
  assert.equal(getRegistry(req), getRegistry(req))
  assert.notEqual(getRegistry(req), getRegistry(requestWith()))
  a1.values.x = 1
  b.values.y = 2
  const res = new Headers()
  await saveAll(req, res)
  assert.equal(res.getSetCookie().length, 2)
})

test('session.save() needs (req, res) unless an adapter bound it', async () => {
  const session = await store.new(requestWith(), 'sid')
  session.values.a = 1
  await assert.rejects(session.save(), { code: 'ERR_INVALID_SESSION' })
  const res = new Headers()
  await session.bind(requestWith(), res).save()
  assert.equal(res.getSetCookie().length, 1)
})

test('TestCookieStoreMapPanic: a fresh session has options and saves without error', async () => {
  const session = new Session(store, 'hello', store.options)
  session.values.data = 'hello-world'
  const res = new Headers()
  await store.save(requestWith(), res, session)
  assert.equal(res.getSetCookie().length, 1)
})

test('ids are 52 base32 characters from 32 random bytes, as Go makes them', () => {
  const sample = (
    vectors as unknown as {
      session_id_samples: {
        fixed_example: { id: string; random_bytes_hex: string }
        samples: string[]
      }
    }
  ).session_id_samples
  const fixed = sample.fixed_example
  assert.equal(
    newSessionId(() => Buffer.from(fixed.random_bytes_hex, 'hex')),
    fixed.id,
  )
  const seen = new Set<string>()
  for (let i = 0; i < 10_000; i++) {
    const id = newSessionId()
    assert.match(id, /^[A-Z2-7]{51}[AQ]$/)
    seen.add(id)
  }
  assert.equal(seen.size, 10_000)
  for (const id of sample.samples) assert.match(id, /^[A-Z2-7]{51}[AQ]$/)
  assert.throws(() => newSessionId(() => new Uint8Array(3)), { code: 'ERR_RANDOM_FAILED' })
})
