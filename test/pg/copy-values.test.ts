/**
 * copyPlain: deep copies of JSON-shaped values, and "not plain" for anything else.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { copyPlain } from '../../src/pg/copy-values.ts'

test('copies plain values deeply: no object is shared with the original', () => {
  const original = Object.assign(Object.create(null), {
    n: 1,
    s: 'x',
    b: true,
    z: null,
    list: [1, { deep: [2, 3] }],
    nested: { a: { b: { c: 'd' } } },
  })
  const copy = copyPlain(original)
  assert.deepEqual(copy, original)
  assert.equal(Object.getPrototypeOf(copy), null, 'the top keeps its null prototype')
  assert.equal(Object.getPrototypeOf(copy.nested), Object.prototype)
  assert.notEqual(copy.list, original.list)
  assert.notEqual(copy.list[1], original.list[1])
  assert.notEqual(copy.nested.a.b, original.nested.a.b)
  copy.nested.a.b.c = 'changed'
  copy.list[1].deep.push(4)
  assert.equal(original.nested.a.b.c, 'd')
  assert.deepEqual(original.list[1].deep, [2, 3])
})

test('a "__proto__" key stays an own property and sets no prototype', () => {
  const parsed = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>
  const copy = copyPlain(parsed) as Record<string, unknown>
  assert.equal(Object.getPrototypeOf(copy), Object.prototype)
  assert.deepEqual(Object.keys(copy), ['__proto__', 'a'])
  assert.equal((copy as { polluted?: unknown }).polluted, undefined)
  assert.equal(({} as { polluted?: unknown }).polluted, undefined)
})

test('anything but primitives, plain objects and arrays is "not plain"', () => {
  class Point {
    x = 1
  }
  const cases: unknown[] = [
    { m: new Map() },
    { d: new Date(0) },
    { u: new Uint8Array(2) },
    { p: new Point() },
    { f: () => 1 },
    { s: Symbol('s') },
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
    { holes: [1, , 3] },
  ]
  for (const value of cases) assert.equal(copyPlain(value), undefined)
  let deep: unknown = 1
  for (let i = 0; i < 100; i++) deep = { deep }
  assert.equal(copyPlain(deep), undefined, 'deeper than 64 levels')
})
