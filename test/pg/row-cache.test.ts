/**
 * The row cache: a repeated read of an unchanged row is not decoded again, every request gets
 * values of its own, and the cache stays bounded.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { jsonSerializer, newPGStoreFromPool, type Serializer } from '../../src/index.ts'
import { RowCache, rowCacheChars, rowCacheEntries } from '../../src/pg/row-cache.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { blockKey, hashKey, request } from './helpers.ts'

let db: TestSchema

before(async () => {
  db = await createTestSchema('row_cache')
})
after(() => db.drop())

function countingJson(): Serializer & { reads: number } {
  const serializer = {
    name: 'json',
    reads: 0,
    serialize: (value: unknown) => jsonSerializer.serialize(value),
    deserialize: (bytes: Uint8Array) => {
      serializer.reads++
      return jsonSerializer.deserialize(bytes)
    },
  }
  return serializer
}

test('values handed to one request never reach the next, before or after a save', async () => {
  const store = await newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false } })
  const first = await store.new(request(), 'sid')
  first.values.cart = { items: [{ sku: 'a', n: 1 }] }
  const cookie = await store.commit(first)
  assert.ok(cookie)
  first.values.cart = 'changed after the save, never saved'

  const a = await store.load(cookie, 'sid')
  const b = await store.load(cookie, 'sid')
  const expected = { items: [{ sku: 'a', n: 1 }] }
  assert.deepEqual(a.values.cart, expected)
  assert.notEqual(a.values.cart, b.values.cart, 'two requests, two objects')
  const cart = a.values.cart as { items: Array<{ n: number }> }
  cart.items[0]!.n = 99
  cart.items.push({ n: 2 })
  a.values.extra = true
  const c = await store.load(cookie, 'sid')
  assert.deepEqual(c.values.cart, expected, 'a handler changing its copy in place changes nothing')
  assert.equal(c.values.extra, undefined)

  await store.commit(a)
  const d = await store.load(cookie, 'sid')
  assert.deepEqual(d.values.cart, { items: [{ sku: 'a', n: 99 }, { n: 2 }] }, 'the saved values')
  cart.items.length = 0
  const e = await store.load(cookie, 'sid')
  assert.equal(
    (e.values.cart as { items: unknown[] }).items.length,
    2,
    'changes after the save stay out',
  )
  await store.close()
})

test('a row is parsed once; values that are not plain JSON are parsed on every read', async () => {
  const plain = countingJson()
  const store = await newPGStoreFromPool(db.pool, hashKey, blockKey, {
    cookie: { secure: false },
    serializer: plain,
  })
  const session = await store.new(request(), 'sid')
  session.values.n = 1
  const cookie = await store.commit(session)
  assert.ok(cookie)
  plain.reads = 0
  for (let i = 0; i < 5; i++) await store.load(cookie, 'sid')
  assert.equal(plain.reads, 1, 'five reads of one unchanged row: one parse')

  // A serializer whose values hold a Date: not plain, so every read parses the remembered bytes
  // again (still without the MAC check and decryption), and still gets its own Date.
  let reads = 0
  const dated: Serializer = {
    name: 'dated',
    serialize: (value) => jsonSerializer.serialize(value),
    deserialize: (bytes) => {
      reads++
      const values = jsonSerializer.deserialize(bytes) as Record<string, unknown>
      return { ...values, at: new Date(0) }
    },
  }
  const other = await newPGStoreFromPool(db.pool, hashKey, blockKey, {
    cookie: { secure: false },
    serializer: dated,
  })
  const s = await other.new(request(), 'sid')
  s.values.n = 1
  const c2 = await other.commit(s)
  assert.ok(c2)
  reads = 0
  const x = await other.load(c2, 'sid')
  const y = await other.load(c2, 'sid')
  assert.equal(reads, 2)
  assert.notEqual(x.values.at, y.values.at)
  await store.close()
  await other.close()
})

test('the cache is bounded by entries and by characters, oldest out first', () => {
  const cache = new RowCache()
  const bytes = new Uint8Array(1)
  const decode = () => Object.create(null)
  for (let i = 0; i <= rowCacheEntries + 10; i++) cache.remember('sid', `t${i}`, bytes, 0)
  assert.equal(cache.size, rowCacheEntries)
  assert.equal(cache.get('sid', 't0', decode), undefined, 'the oldest went first')
  assert.ok(cache.get('sid', `t${rowCacheEntries + 10}`, decode))

  const big = new RowCache()
  const text = 'x'.repeat(10_000)
  const fits = Math.floor(rowCacheChars / (text.length + 10))
  for (let i = 0; i < fits * 2; i++) big.remember('sid', `${i}${text}`, bytes, 0)
  assert.ok(big.size <= fits + 1, `at most ${rowCacheChars} characters`)
  big.remember('sid', 'y'.repeat(20_000), bytes, 0)
  assert.equal(big.get('sid', 'y'.repeat(20_000), decode), undefined, 'too long to remember')
})

test('the name is part of the key: a row read under another cookie name is decoded afresh', () => {
  const cache = new RowCache()
  cache.remember('a', 'text', new Uint8Array(1), 0)
  assert.equal(
    cache.get('b', 'text', () => Object.create(null)),
    undefined,
  )
  assert.ok(cache.get('a', 'text', () => Object.create(null)))
})

test('without keepValues (gob) every hit parses the bytes again, after skipping MAC and decryption', () => {
  // gob remembers each number's Go type by container identity: a copy would lose it.
  const cache = new RowCache(false)
  let decodes = 0
  const decode = () => {
    decodes++
    return Object.create(null)
  }
  cache.remember('sid', 'text', new Uint8Array(1), 0, Object.create(null))
  assert.ok(cache.get('sid', 'text', decode))
  assert.ok(cache.get('sid', 'text', decode))
  assert.equal(decodes, 2)
  const keeping = new RowCache()
  keeping.remember('sid', 'text', new Uint8Array(1), 0, Object.create(null))
  keeping.get('sid', 'text', decode)
  assert.equal(decodes, 2, 'a JSON store copies the kept values instead')
})
