/**
 * The decode pipeline in Go's order: what is checked before what, strict parsing at each layer,
 * length limits, the IV source, rotation, and what errors say.
 */

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  bytesSerializer,
  decodeBase64Url,
  decodeMulti,
  encodeBase64Url,
  encodeMulti,
  jsonSerializer,
  SecureCookie,
  type Serializer,
} from '../../src/codec/index.ts'
import { DecodeError, InternalError, UsageError } from '../../src/errors.ts'
import { BLOCK, clocked, code, counting, HASH, signed, T0 } from './fixtures.ts'

describe('decode pipeline', () => {
  test('nothing is decrypted or parsed for a bad MAC or a bad timestamp', () => {
    const serializer = counting()
    const { codec, clock } = clocked(T0, BLOCK)
    codec.setSerializer(serializer).maxAge(10)
    const cookie = codec.encode('n', { a: 1 })
    assert.deepEqual(codec.decode('n', cookie), { a: 1 })
    assert.equal(serializer.reads, 1)
    assert.throws(() => codec.decode('other', cookie), code('ERR_COOKIE_MAC_INVALID'))
    const bytes = Buffer.from(decodeBase64Url(cookie) as Uint8Array)
    bytes[14] = (bytes[14] as number) ^ 1
    assert.throws(() => codec.decode('n', encodeBase64Url(bytes)), code('ERR_COOKIE_MAC_INVALID'))
    clock.now = T0 + 11
    assert.throws(() => codec.decode('n', cookie), code('ERR_COOKIE_EXPIRED'))
    assert.equal(serializer.reads, 1)
  })

  test('a MAC of the wrong length is MAC_INVALID, not a RangeError from timingSafeEqual', () => {
    const { codec } = clocked(T0)
    for (const length of [0, 1, 31, 33, 64]) {
      const cookie = signed('n', String(T0), encodeBase64Url(jsonSerializer.serialize('v')), length)
      assert.throws(() => codec.decode('n', cookie), code('ERR_COOKIE_MAC_INVALID'))
    }
  })

  test('MAC bytes may contain "|": only the first two pipes split', () => {
    const { codec } = clocked(T0)
    let found = 0
    for (let i = 0; i < 400 && found < 3; i++) {
      const cookie = codec.encode('n', i)
      const outer = Buffer.from(decodeBase64Url(cookie) as Uint8Array)
      const macStart = outer.indexOf(0x7c, outer.indexOf(0x7c) + 1) + 1
      if (!outer.subarray(macStart).includes(0x7c)) continue
      found++
      assert.equal(codec.decode('n', cookie), i)
    }
    assert.equal(found, 3)
  })

  test('fewer than three parts is MAC_INVALID', () => {
    const { codec } = clocked(T0)
    for (const outer of ['', 'a', 'a|b', `${T0}|payload`]) {
      assert.throws(
        () => codec.decode('n', encodeBase64Url(Buffer.from(outer))),
        code('ERR_COOKIE_MAC_INVALID'),
      )
    }
  })

  test('the inner payload must be canonical padded base64url', () => {
    const { codec } = clocked(T0)
    for (const payload of [
      'not*base64',
      'InYiCg',
      'InYiCh==',
      'InYiCg=',
      'InYi Cg==',
      'In+iCg==',
    ]) {
      assert.throws(
        () => codec.decode('n', signed('n', String(T0), payload)),
        code('ERR_COOKIE_BASE64'),
      )
    }
    assert.equal(codec.decode('n', signed('n', String(T0), 'InYiCg==')), 'v')
  })

  test('encrypted payloads must be longer than the 16-byte IV', () => {
    const { codec } = clocked(T0, BLOCK)
    for (const n of [0, 1, 16]) {
      const cookie = signed('n', String(T0), encodeBase64Url(new Uint8Array(n)))
      assert.throws(() => codec.decode('n', cookie), code('ERR_COOKIE_DECRYPT'))
    }
    // 17 bytes decrypt to one byte of noise, which JSON refuses and raw bytes accept.
    const cookie = signed('n', String(T0), encodeBase64Url(new Uint8Array(17)))
    assert.throws(() => codec.decode('n', cookie), code('ERR_COOKIE_DESERIALIZE'))
    assert.equal(codec.setSerializer(bytesSerializer).decode<Uint8Array>('n', cookie).length, 1)
  })

  test('an empty payload is a deserialize error for JSON and empty bytes for raw', () => {
    const { codec } = clocked(T0)
    const cookie = signed('n', String(T0), '')
    assert.throws(() => codec.decode('n', cookie), code('ERR_COOKIE_DESERIALIZE'))
    assert.deepEqual(codec.setSerializer(bytesSerializer).decode('n', cookie), new Uint8Array(0))
  })

  test('the outer value must be canonical padded base64url', () => {
    const { codec } = clocked(T0)
    const cookie = codec.encode('n', 'v')
    // The character before the padding has unused low bits; setting one keeps it in the alphabet.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = cookie.indexOf('=') - 1
    assert.ok(last > 0)
    const bits = alphabet.indexOf(cookie[last] as string) | 1
    const flipped = `${cookie.slice(0, last)}${alphabet[bits]}${cookie.slice(last + 1)}`
    const variants = [
      flipped, // stray bits after the data: Go would accept it, we do not
      cookie.slice(0, -1),
      `${cookie}=`,
      `${cookie}\n`,
      `\r\n${cookie}`,
      ` ${cookie}`,
      cookie.replaceAll('-', '+').replaceAll('_', '/'),
      `${cookie.slice(0, 8)}=${cookie.slice(8)}`,
    ].filter((v) => v !== cookie)
    for (const variant of variants) {
      assert.throws(
        () => codec.decode('n', variant),
        (err) => err instanceof DecodeError,
      )
    }
    assert.throws(() => codec.decode('n', flipped), code('ERR_COOKIE_BASE64'))
  })

  test('foreign errors from a serializer are typed', () => {
    const thrower: Serializer = {
      name: 'thrower',
      serialize: () => {
        throw new TypeError('boom')
      },
      deserialize: () => {
        throw new RangeError('boom')
      },
    }
    const { codec } = clocked(T0)
    const cookie = codec.encode('n', 'v')
    codec.setSerializer(thrower)
    assert.throws(
      () => codec.encode('n', 'v'),
      (err) => err instanceof UsageError && err.code === 'ERR_SERIALIZE',
    )
    assert.throws(
      () => codec.decode('n', cookie),
      (err) => err instanceof DecodeError && err.code === 'ERR_COOKIE_DESERIALIZE',
    )
    codec.setSerializer({ ...thrower, serialize: () => 'text' as never })
    assert.throws(() => codec.encode('n', 'v'), code('ERR_SERIALIZE'))
  })

  test('misuse is a UsageError', () => {
    const { codec } = clocked(T0)
    assert.throws(() => codec.encode(1 as never, 'v'), code('ERR_INVALID_COOKIE_NAME'))
    assert.throws(() => codec.decode(1 as never, 'v'), code('ERR_INVALID_COOKIE_NAME'))
    assert.throws(
      () => codec.decode('n', undefined as never),
      (err) => err instanceof UsageError,
    )
  })
})

describe('length limits', () => {
  test('decode checks the input length in UTF-8 bytes before anything else', () => {
    const { codec } = clocked(T0)
    assert.throws(() => codec.decode('n', 'A'.repeat(4096)), code('ERR_COOKIE_MAC_INVALID'))
    assert.throws(() => codec.decode('n', '*'.repeat(4097)), code('ERR_COOKIE_TOO_LONG'))
    assert.throws(() => codec.decode('n', 'é'.repeat(2049)), code('ERR_COOKIE_TOO_LONG'))
    assert.throws(() => codec.decode('n', 'é'.repeat(2048)), code('ERR_COOKIE_BASE64'))
    codec.maxLength(0)
    for (const size of [16 * 1024, 1024 * 1024]) {
      assert.throws(() => codec.decode('n', 'A'.repeat(size)), code('ERR_COOKIE_MAC_INVALID'))
    }
  })

  test('encode refuses results longer than maxLength; 0 means no limit', () => {
    const { codec } = clocked(T0, BLOCK)
    const fits = (n: number): boolean => {
      try {
        return codec.encode('n', 'x'.repeat(n)).length <= 4096
      } catch (err) {
        if ((err as UsageError).code === 'ERR_VALUE_TOO_LONG') return false
        throw err
      }
    }
    let n = 1000
    while (fits(n + 1)) n++
    // Go's size formula: 4*ceil((len(ts)+34+4*ceil(payload/3))/3), payload = IV + JSON.
    const expected = 4 * Math.ceil((10 + 34 + 4 * Math.ceil((16 + n + 3) / 3)) / 3)
    assert.equal(codec.encode('n', 'x'.repeat(n)).length, expected)
    assert.ok(expected <= 4096 && n > 2200)
    assert.throws(() => codec.encode('n', 'x'.repeat(n + 1)), code('ERR_VALUE_TOO_LONG'))
    const big = codec.maxLength(0).encode('n', 'x'.repeat(10000))
    assert.ok(big.length > 10000)
    assert.equal(codec.decode('n', big), 'x'.repeat(10000))
  })
})

describe('randomness', () => {
  test('the IV comes from randomBytes; a failing source is an InternalError', () => {
    const calls: number[] = []
    const ok = new SecureCookie(HASH, BLOCK, {
      randomBytes: (n) => {
        calls.push(n)
        return new Uint8Array(n)
      },
    })
    const cookie = ok.encode('n', 'v')
    assert.deepEqual(calls, [16])
    assert.equal(ok.decode('n', cookie), 'v')
    new SecureCookie(HASH, null, {
      randomBytes: () => assert.fail('hash-only needs no IV'),
    }).encode('n', 'v')
    for (const randomBytes of [
      () => {
        throw new Error('no entropy')
      },
      () => new Uint8Array(15),
      () => 'sixteen bytes...' as never,
    ]) {
      const codec = new SecureCookie(HASH, BLOCK, { randomBytes })
      assert.throws(
        () => codec.encode('n', 'v'),
        (err) => err instanceof InternalError && err.code === 'ERR_RANDOM_FAILED',
      )
    }
  })

  test('two encodings of one value differ (fresh IV) and both decode', () => {
    const codec = new SecureCookie(HASH, BLOCK)
    const a = codec.encode('n', 'v')
    const b = codec.encode('n', 'v')
    assert.notEqual(a, b)
    assert.equal(codec.decode('n', a), codec.decode('n', b))
  })
})

describe('rotation', () => {
  test('encode with the first codec, decode with any; overrides reach every codec', () => {
    const clock = { now: T0 }
    const options = { now: () => clock.now * 1000 }
    const oldCodec = new SecureCookie('old-hash', new Uint8Array(16).fill(1), options)
    const newCodec = new SecureCookie('new-hash', new Uint8Array(32).fill(2), options)
    const fromOld = oldCodec.encode('n', 'v')
    const fromNew = encodeMulti('n', 'v', [newCodec, oldCodec])
    assert.equal(newCodec.decode('n', fromNew), 'v')
    assert.throws(() => oldCodec.decode('n', fromNew), code('ERR_COOKIE_MAC_INVALID'))
    assert.equal(decodeMulti('n', fromOld, [newCodec, oldCodec]), 'v')
    assert.throws(() => decodeMulti('n', fromOld, [newCodec]), code('ERR_COOKIE_MAC_INVALID'))
    clock.now = T0 + 2592001
    assert.throws(
      () => decodeMulti('n', fromOld, [newCodec, oldCodec]),
      (err) => {
        assert.equal((err as { errors: DecodeError[] }).errors[1]?.code, 'ERR_COOKIE_EXPIRED')
        return true
      },
    )
    assert.equal(decodeMulti('n', fromOld, [newCodec, oldCodec], { maxAge: 0 }), 'v')
  })
})

test('messages never carry the value, the name or a key', () => {
  const { codec } = clocked(T0, BLOCK)
  const secretName = 'NAME-7f3a'
  const cookie = codec.encode(secretName, 'SECRET-VALUE')
  const inputs = [
    cookie,
    `${cookie}x`,
    cookie.slice(0, 20),
    '*'.repeat(5000),
    signed(secretName, 'SECRET', 'SECRET'),
  ]
  for (const input of inputs) {
    for (const name of [secretName, 'other']) {
      try {
        codec.decode(name, input)
      } catch (err) {
        const text = `${(err as Error).message} ${(err as Error).stack}`
        for (const secret of [input.slice(0, 16), secretName, 'SECRET', HASH]) {
          assert.ok(!text.includes(secret), `${(err as Error).message} leaks ${secret}`)
        }
      }
    }
  }
})
