/**
 * A decoded container remembers the Go number types the default mapping would lose, and writing it
 * again (unchanged, or with a number of the same kind in range) gives Go's type back: the bytes
 * equal what the typed original serialized to.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  gobSerializer,
  goFloat32,
  goFloat64,
  goInt8,
  goInt64,
  goUint,
  goUint8,
  goUint64,
} from '../../src/index.ts'

const roundTrip = (bytes: Uint8Array) => gobSerializer.serialize(gobSerializer.deserialize(bytes))

test('each Go number type survives decode and encode unchanged', () => {
  for (const value of [
    goFloat64(2),
    goFloat32(1.5),
    goInt8(-3),
    goInt64(5),
    goUint(9),
    goUint8(255),
    goUint64(5),
  ]) {
    const typed = gobSerializer.serialize({ k: value })
    assert.deepEqual(roundTrip(typed), typed, value.type)
  }
})

test('inside slices and nested maps too', () => {
  const typed = gobSerializer.serialize({ k: [goInt64(1), { d: goUint8(2) }] })
  assert.deepEqual(roundTrip(typed), typed)
})

test('a changed number keeps the type only while it fits', () => {
  const values = gobSerializer.deserialize(gobSerializer.serialize({ k: goUint8(1) })) as {
    k: unknown
  }
  values.k = 200
  assert.deepEqual(gobSerializer.serialize(values), gobSerializer.serialize({ k: goUint8(200) }))
  values.k = 256
  assert.deepEqual(gobSerializer.serialize(values), gobSerializer.serialize({ k: 256 }))
  values.k = 2.5
  assert.deepEqual(gobSerializer.serialize(values), gobSerializer.serialize({ k: 2.5 }))
  values.k = 'text'
  assert.deepEqual(gobSerializer.serialize(values), gobSerializer.serialize({ k: 'text' }))
})

test('a copy of the values is a new object: the default mapping applies', () => {
  const values = gobSerializer.deserialize(gobSerializer.serialize({ k: goInt64(5) })) as object
  assert.deepEqual(gobSerializer.serialize({ ...values }), gobSerializer.serialize({ k: 5 }))
})
