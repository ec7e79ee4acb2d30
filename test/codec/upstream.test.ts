/**
 * Equivalents of gorilla/securecookie's own tests (securecookie_test.go, v1.1.1 and HEAD), named
 * after them. TestGobSerialization belongs to the gob serializer's tests.
 */

import assert from 'node:assert/strict'
import { createDecipheriv, createHmac } from 'node:crypto'
import { test } from 'node:test'
import {
  bytesSerializer,
  type Codec,
  decodeBase64Url,
  decodeMulti,
  encodeBase64Url,
  encodeMulti,
  jsonSerializer,
  SecureCookie,
} from '../../src/codec/index.ts'
import { DecodeError, MultiError, PgStoreError, UsageError } from '../../src/errors.ts'

const utf8 = new TextEncoder()

/** The parts of a cookie: timestamp text, payload text, MAC bytes. */
function dissect(cookie: string): { ts: string; payload: string; mac: Buffer } {
  const outer = Buffer.from(decodeBase64Url(cookie) as Uint8Array)
  const p1 = outer.indexOf(0x7c)
  const p2 = outer.indexOf(0x7c, p1 + 1)
  return {
    ts: outer.subarray(0, p1).toString('latin1'),
    payload: outer.subarray(p1 + 1, p2).toString('latin1'),
    mac: outer.subarray(p2 + 1),
  }
}

test('TestSecureCookie: round trip 50 times; another key pair fails with a decode error', () => {
  const s1 = new SecureCookie('12345', '1234567890123456')
  const s2 = new SecureCookie('54321', '6543210987654321')
  const value = { foo: 'bar', baz: 128 }
  for (let i = 0; i < 50; i++) {
    // Upstream loops to see whether some random IV breaks the encoding.
    const encoded = s1.encode('sid', value)
    assert.deepEqual(s1.decode('sid', encoded), value)
    assert.throws(
      () => s2.decode('sid', encoded),
      (err: unknown) => err instanceof DecodeError && err.kind === 'decode',
    )
  }
})

test('TestSecureCookieNilKey: no hash key is a usage error', () => {
  assert.throws(() => new SecureCookie(null as never, null), {
    name: 'UsageError',
    code: 'ERR_HASH_KEY_NOT_SET',
  })
})

test('TestDecodeInvalid: degenerate values, base64 in both alphabets, are decode errors', () => {
  const codec = new SecureCookie('12345')
  for (const raw of ['', ' ', '\n', '||', '|||', 'cookie']) {
    const std = Buffer.from(raw).toString('base64')
    const url = encodeBase64Url(utf8.encode(raw))
    for (const input of [raw, std, url]) {
      assert.throws(
        () => codec.decode('name', input),
        (err: unknown) => err instanceof DecodeError && err.kind === 'decode',
        JSON.stringify(input),
      )
    }
  }
})

test('TestAuthentication: the MAC is HMAC-SHA256(hashKey, name|ts|payload) and verifies', () => {
  const codec = new SecureCookie('secret-key')
  for (const value of ['foo', 'bar', 'baz']) {
    const cookie = codec.encode('n', value)
    const { ts, payload, mac } = dissect(cookie)
    const expected = createHmac('sha256', 'secret-key').update(`n|${ts}|${payload}`).digest()
    assert.deepEqual(mac, expected)
    assert.equal(codec.decode('n', cookie), value)
  }
})

test('TestEncryption: AES-CTR with a random IV, payload = IV || ciphertext, round trips', () => {
  const key = '1234567890123456'
  const codec = new SecureCookie('h', key)
  for (const value of ['foo', 'bar', 'baz']) {
    const cookie = codec.encode('n', value)
    const payload = Buffer.from(decodeBase64Url(dissect(cookie).payload) as Uint8Array)
    const serialized = jsonSerializer.serialize(value)
    assert.equal(payload.length, 16 + serialized.length)
    const decipher = createDecipheriv('aes-128-ctr', key, payload.subarray(0, 16))
    assert.deepEqual(new Uint8Array(decipher.update(payload.subarray(16))), serialized)
    assert.notDeepEqual(new Uint8Array(payload.subarray(16)), serialized)
    assert.equal(codec.decode('n', cookie), value)
  }
})

test('TestJSONSerialization: string maps round-trip through the JSON serializer', () => {
  for (const value of [{ foo: 'bar' }, { baz: 'ding' }]) {
    assert.deepEqual(jsonSerializer.deserialize(jsonSerializer.serialize(value)), value)
  }
})

test('TestNopSerialization: only bytes pass, unchanged', () => {
  assert.throws(() => bytesSerializer.serialize('foo'), {
    name: 'UsageError',
    code: 'ERR_SERIALIZE',
    message: 'value not a []byte.',
  })
  const bytes = utf8.encode('foo')
  assert.deepEqual(bytesSerializer.serialize(bytes), bytes)
  assert.deepEqual(bytesSerializer.deserialize(bytes), bytes)
  // Go's "dst is not a *[]byte" has no equivalent: a TS decode has no destination argument.
})

test('TestEncoding: base64url round-trips', () => {
  for (const value of ['foo', 'bar', 'baz']) {
    const encoded = encodeBase64Url(utf8.encode(value))
    assert.equal(Buffer.from(decodeBase64Url(encoded) as Uint8Array).toString(), value)
  }
})

test('TestMultiError: two failing codecs give a usage MultiError of length 2', () => {
  const bad: Codec = {
    encode: () => {
      throw new UsageError('ERR_HASH_KEY_NOT_SET', 'hash key is not set')
    },
    decode: () => {
      throw new UsageError('ERR_HASH_KEY_NOT_SET', 'hash key is not set')
    },
  }
  assert.throws(
    () => encodeMulti('foo', 'bar', [bad, bad]),
    (err: unknown) => {
      assert.ok(err instanceof MultiError)
      assert.equal(err.errors.length, 2)
      assert.match(err.message, /hash key is not set/)
      assert.equal(err.kind, 'usage')
      return true
    },
  )
})

test('TestMultiNoCodecs: no codecs is a usage error, not a MultiError', () => {
  for (const run of [() => encodeMulti('foo', 'bar', []), () => decodeMulti('foo', 'bar', [])]) {
    assert.throws(run, (err: unknown) => {
      assert.ok(err instanceof UsageError && !(err instanceof MultiError))
      assert.equal(err.code, 'ERR_NO_CODECS')
      return true
    })
  }
})

test('TestMissingKey: a missing or (HEAD) empty key is a usage error', () => {
  for (const key of [null, undefined, new Uint8Array(0), '']) {
    assert.throws(
      () => new SecureCookie(key as never).decode('foo', 'bar'),
      (err: unknown) =>
        err instanceof PgStoreError && err.kind === 'usage' && err.code === 'ERR_HASH_KEY_NOT_SET',
    )
  }
})

test('TestCustomType: a plain object with typed fields round-trips', () => {
  const codec = new SecureCookie('12345', '1234567890123456')
  const value = { foo: 42, bar: 'bar' }
  assert.deepEqual(codec.decode('sid', codec.encode('sid', value)), value)
})

test('Fuzz (v1.1.1 fuzz.go): decoding junk never throws anything but a DecodeError', () => {
  const codec = new SecureCookie('12345', '1234567890123456')
  for (const junk of ['fuzz', 'MTIzfHx8', '', '====', 'A'.repeat(5000), '\u0000\uffff']) {
    assert.throws(() => codec.decode('fuzz', junk), DecodeError)
  }
})
