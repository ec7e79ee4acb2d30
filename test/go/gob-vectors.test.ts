/**
 * The gob half of the Go vectors, through the full codec (SecureCookie + gobSerializer): every gob
 * `encode_vectors` value Go encoded decodes to Go's value, every gob `fixed_vectors` entry is
 * rebuilt byte for byte, and every gob `decode_cases` entry ends as Go's did. test/codec/ covers
 * json and nop with the same vector helpers; this file needs no Go toolchain.
 */

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  DecodeError,
  decodeMulti,
  gobSerializer,
  MultiError,
  PgStoreError,
  SecureCookie,
} from '../../src/index.ts'
import {
  type CodecSettings,
  type DecodeCase,
  goErrorCode,
  goErrorKind,
  keySet,
  vectors,
} from '../codec/go-vectors.ts'
import { type GoRecorded, toJs } from '../gob/go-values.ts'

function gobCodec(keySetId: string, settings: CodecSettings, nowSeconds: number): SecureCookie {
  const { hashKey, blockKey } = keySet(keySetId)
  const codec = new SecureCookie(hashKey, blockKey, { now: () => nowSeconds * 1000 })
  codec.setSerializer(gobSerializer)
  if (settings.max_age !== undefined) codec.maxAge(settings.max_age)
  if (settings.min_age !== undefined) codec.minAge(settings.min_age)
  if (settings.max_length !== undefined) codec.maxLength(settings.max_length)
  return codec
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('encode_vectors (gob): what Go encoded decodes to what Go encoded', () => {
  const gob = vectors.encode_vectors.filter((v) => v.codec.serializer === 'gob')

  test('91 gob entries over 7 key sets and 4 names', () => {
    assert.equal(gob.length, 91)
    assert.equal(new Set(gob.map((v) => v.key_set)).size, 7)
    assert.equal(new Set(gob.map((v) => v.name)).size, 4)
  })

  for (const v of gob) {
    test(v.id, () => {
      const codec = gobCodec(v.key_set, v.codec, v.made_at_unix)
      const recorded = v.value as GoRecorded
      assert.deepEqual(codec.decode(v.name, v.encoded), toJs(recorded, false))
      // And back: our encoding of Go's typed value decodes to the same value in our codec, and
      // serializes to Go's very bytes wherever Go's bytes are deterministic (no map of 2+ entries).
      const typed = toJs(recorded, true)
      const again = codec.encode(v.name, typed)
      assert.deepEqual(codec.decode(v.name, again), toJs(recorded, false))
      const deterministic = (v as { serialized_bytes_deterministic?: boolean })
        .serialized_bytes_deterministic
      if (deterministic) {
        assert.equal(hex(gobSerializer.serialize(typed)), v.dissected.serialized_hex)
      }
    })
  }
})

describe('fixed_vectors (gob): byte for byte with Go at a fixed clock and IV', () => {
  const gob = vectors.fixed_vectors.filter((v) => v.serializer === 'gob')

  test('25 gob entries', () => assert.equal(gob.length, 25))

  for (const v of gob) {
    test(v.id, () => {
      const { hashKey, blockKey } = keySet(v.key_set)
      const iv = Buffer.from(v.iv_hex ?? '', 'hex')
      const codec = new SecureCookie(hashKey, blockKey, {
        now: () => v.timestamp * 1000,
        randomBytes: () => iv,
      }).setSerializer(gobSerializer)
      const value = toJs(v.value as GoRecorded, true)
      assert.equal(hex(gobSerializer.serialize(value)), v.serialized_hex)
      assert.equal(codec.encode(v.name, value), v.encoded)
      assert.deepEqual(
        codec.decode(v.name, v.encoded, { maxAge: 0 }),
        toJs(v.value as GoRecorded, false),
      )
    })
  }
})

/**
 * Go decodes into a typed destination and fails when the gob type differs; a codec here has no
 * destination type, so it returns the other type and the store rejects it (a non-string cookie is
 * `ERR_COOKIE_INVALID_ID`, non-map values are `ERR_COOKIE_DESERIALIZE`: test/pg/go-rows.test.ts).
 */
const typeMismatch: Record<string, 'string' | 'object'> = {
  'err/gob-type-mismatch': 'string',
  'err/gob-map-into-string': 'object',
}

describe('decode_cases (gob): every outcome as Go', () => {
  const gob = vectors.decode_cases.filter((c) => c.codec.serializer === 'gob')

  test('40 gob cases, 6 of them decided by gob itself', () => {
    assert.equal(gob.length, 40)
    const byGob = gob.filter((c) => c.error?.message.startsWith('securecookie: error - caused by'))
    assert.equal(byGob.length, 6)
  })

  for (const c of gob) {
    test(`${c.id}: ${c.ok ? 'ok' : c.error?.message}`, () => {
      const codecs = c.key_sets.map((id) => gobCodec(id, c.codec, c.made_at_unix))
      const run = (): unknown =>
        c.call === 'DecodeMulti'
          ? decodeMulti(c.name, c.input, codecs)
          : (codecs[0] as SecureCookie).decode(c.name, c.input)
      if (c.ok) {
        assert.equal(run(), c.decoded)
        return
      }
      const mismatch = typeMismatch[c.id]
      if (mismatch !== undefined) {
        assert.equal(typeof run(), mismatch)
        return
      }
      const goError = c.error as NonNullable<DecodeCase['error']>
      assert.throws(run, (err: unknown) => {
        assert.ok(err instanceof PgStoreError)
        assert.equal(err.code, goErrorCode(goError))
        assert.equal(err.kind, goErrorKind(goError))
        assert.equal(err instanceof MultiError, goError.go_type === 'securecookie.MultiError')
        if (err instanceof MultiError) {
          assert.equal(err.errors.length, goError.multi_error_items?.length)
        } else {
          assert.ok(err instanceof DecodeError)
        }
        return true
      })
    })
  }
})
