/**
 * generateRandomKey: Go's GenerateRandomKey, but it throws instead of returning nil.
 */

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateRandomKey, SecureCookie } from '../../src/codec/index.ts'

test('returns fresh random bytes of the asked length', () => {
  for (const n of [0, 1, 16, 32, 64, 70000]) {
    const key = generateRandomKey(n)
    assert.equal(Object.getPrototypeOf(key), Uint8Array.prototype)
    assert.equal(key.length, n)
  }
  const a = generateRandomKey(32)
  const b = generateRandomKey(32)
  assert.notDeepEqual(a, b)
  // 64 KiB of zeros from a working CSPRNG has probability 2^-524288.
  assert.ok(generateRandomKey(65536).some((byte) => byte !== 0))
})

test('keys it makes are usable by the codec', () => {
  const codec = new SecureCookie(generateRandomKey(64), generateRandomKey(32))
  assert.equal(codec.decode('n', codec.encode('n', 'v')), 'v')
})

test('a bad length is a usage error', () => {
  for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '32' as never]) {
    assert.throws(() => generateRandomKey(n), { name: 'UsageError', code: 'ERR_INVALID_OPTION' })
  }
})
