/**
 * SecureCookie settings and the age window at its exact boundaries, with an injected clock.
 */

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  bytesSerializer,
  decodeBase64Url,
  encodeBase64Url,
  jsonSerializer,
  SecureCookie,
} from '../../src/codec/index.ts'
import { InternalError } from '../../src/errors.ts'
import { BLOCK, clocked, code, HASH, signed, T0 } from './fixtures.ts'

describe('settings', () => {
  test('defaults are Go defaults, setters chain, getters report', () => {
    const codec = new SecureCookie(HASH)
    assert.deepEqual(codec.limits, { maxAge: 2592000, minAge: 0, maxLength: 4096 })
    assert.equal(codec.serializer, jsonSerializer)
    assert.equal(codec.encrypted, false)
    assert.equal(codec.maxAge(1).minAge(2).maxLength(3).setSerializer(bytesSerializer), codec)
    assert.deepEqual(codec.limits, { maxAge: 1, minAge: 2, maxLength: 3 })
    assert.equal(codec.serializer, bytesSerializer)
    assert.equal(new SecureCookie(HASH, BLOCK).encrypted, true)
  })

  test('setters refuse negative, fractional and non-finite numbers', () => {
    const codec = new SecureCookie(HASH)
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as never]) {
      assert.throws(() => codec.maxAge(bad), code('ERR_INVALID_OPTION'))
      assert.throws(() => codec.minAge(bad), code('ERR_INVALID_OPTION'))
      assert.throws(() => codec.maxLength(bad), code('ERR_INVALID_OPTION'))
    }
    assert.throws(() => codec.setSerializer({} as never), code('ERR_INVALID_OPTION'))
    assert.throws(
      () => new SecureCookie(HASH, null, { now: 5 as never }),
      code('ERR_INVALID_OPTION'),
    )
    assert.deepEqual(codec.limits, { maxAge: 2592000, minAge: 0, maxLength: 4096 })
  })

  test('keys: AES sizes 16/24/32 only; strings are UTF-8; keys are copied', () => {
    for (const n of [16, 24, 32]) assert.ok(new SecureCookie(HASH, new Uint8Array(n)).encrypted)
    for (const n of [0, 1, 15, 17, 31, 33, 64]) {
      assert.throws(() => new SecureCookie(HASH, new Uint8Array(n)), code('ERR_BLOCK_KEY_INVALID'))
    }
    assert.throws(() => new SecureCookie(HASH, 16 as never), code('ERR_BLOCK_KEY_INVALID'))
    assert.throws(() => new SecureCookie(42 as never), code('ERR_HASH_KEY_NOT_SET'))
    // 'é' is two UTF-8 bytes: 8 of them make a 16-byte AES key.
    assert.ok(new SecureCookie(HASH, 'é'.repeat(8)).encrypted)
    const key = new TextEncoder().encode(HASH)
    const a = new SecureCookie(key)
    const cookie = a.encode('n', 'v')
    key.fill(0)
    assert.equal(a.decode('n', cookie), 'v')
    assert.equal(new SecureCookie(HASH).decode('n', cookie), 'v')
  })
})

describe('age window (strict comparisons, as Go)', () => {
  test('maxAge: accepted at exactly maxAge, expired one second later', () => {
    const { codec, clock } = clocked(T0)
    codec.maxAge(600)
    const cookie = codec.encode('n', 'v')
    clock.now = T0 + 600
    assert.equal(codec.decode('n', cookie), 'v')
    clock.now = T0 + 601
    assert.throws(() => codec.decode('n', cookie), code('ERR_COOKIE_EXPIRED'))
    assert.equal(codec.decode('n', cookie, { maxAge: 0 }), 'v')
    assert.equal(codec.decode('n', cookie, { maxAge: 601 }), 'v')
    assert.throws(() => codec.decode('n', cookie, { maxAge: -1 }), code('ERR_INVALID_OPTION'))
    codec.maxAge(0)
    clock.now = T0 + 10 ** 9
    assert.equal(codec.decode('n', cookie), 'v')
  })

  test('minAge: too new until exactly minAge has passed', () => {
    const { codec, clock } = clocked(T0)
    codec.minAge(60)
    const cookie = codec.encode('n', 'v')
    clock.now = T0 + 59
    assert.throws(() => codec.decode('n', cookie), code('ERR_COOKIE_TOO_NEW'))
    clock.now = T0 + 60
    assert.equal(codec.decode('n', cookie), 'v')
  })

  test('future timestamps pass when minAge is 0 (Go has no upper bound)', () => {
    const { codec, clock } = clocked(T0 + 10 * 365 * 86400)
    const cookie = codec.encode('n', 'v')
    clock.now = T0
    assert.equal(codec.decode('n', cookie), 'v')
  })

  test('the timestamp is whole seconds, rounded down', () => {
    const codec = new SecureCookie(HASH, null, { now: () => T0 * 1000 + 999 })
    const outer = Buffer.from(decodeBase64Url(codec.encode('n', 'v')) as Uint8Array)
    assert.equal(outer.subarray(0, 11).toString(), `${T0}|`)
    const broken = new SecureCookie(HASH, null, { now: () => Number.NaN })
    assert.throws(
      () => broken.encode('n', 'v'),
      (err) => err instanceof InternalError,
    )
  })
})

describe('timestamp parsing (strconv.ParseInt, base 10, int64)', () => {
  const payload = encodeBase64Url(jsonSerializer.serialize('v'))
  const cases: Array<[ts: string, outcome: string]> = [
    [`+${T0}`, 'ok'],
    [`000${T0}`, 'ok'],
    ['9223372036854775807', 'ok'],
    ['-1', 'ERR_COOKIE_EXPIRED'],
    ['-9223372036854775808', 'ERR_COOKIE_EXPIRED'],
    ['9223372036854775808', 'ERR_COOKIE_TIMESTAMP'],
    ['-9223372036854775809', 'ERR_COOKIE_TIMESTAMP'],
    ['', 'ERR_COOKIE_TIMESTAMP'],
    ['+', 'ERR_COOKIE_TIMESTAMP'],
    ['-', 'ERR_COOKIE_TIMESTAMP'],
    ['abc', 'ERR_COOKIE_TIMESTAMP'],
    [` ${T0}`, 'ERR_COOKIE_TIMESTAMP'],
    ['1_000', 'ERR_COOKIE_TIMESTAMP'],
    ['0x10', 'ERR_COOKIE_TIMESTAMP'],
    ['1e9', 'ERR_COOKIE_TIMESTAMP'],
    ['+-1', 'ERR_COOKIE_TIMESTAMP'],
  ]
  for (const [ts, outcome] of cases) {
    test(`${JSON.stringify(ts)} → ${outcome}`, () => {
      const { codec } = clocked(T0)
      const cookie = signed('n', ts, payload)
      if (outcome === 'ok') assert.equal(codec.decode('n', cookie), 'v')
      else assert.throws(() => codec.decode('n', cookie), code(outcome))
    })
  }
})
