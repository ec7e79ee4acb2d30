/**
 * Every decode_cases, encode_errors and codecs_from_pairs entry of the Go vectors: the same outcome
 * as Go, with Go's error mapped to our code (table in go-vectors.ts).
 */

import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, test } from 'node:test'
import {
  bytesSerializer,
  type Codec,
  codecsFromPairs,
  decodeBase64Url,
  decodeMulti,
  encodeMulti,
  jsonSerializer,
  SecureCookie,
  type Serializer,
} from '../../src/codec/index.ts'
import { DecodeError, MultiError, PgStoreError, UsageError } from '../../src/errors.ts'
import {
  type DecodeCase,
  goErrorCode,
  goErrorKind,
  goValue,
  isGobSerializerError,
  keySet,
  vectors,
} from './go-vectors.ts'

function codecFor(c: DecodeCase, keySetId: string): SecureCookie {
  const { hashKey, blockKey } = keySet(keySetId)
  // Gob values stand in as raw bytes: the outcome of every remaining gob case is decided before
  // deserialization, so the serializer does not matter for it.
  const serializer: Serializer = c.codec.serializer === 'json' ? jsonSerializer : bytesSerializer
  const codec = new SecureCookie(hashKey, blockKey, { now: () => c.made_at_unix * 1000 })
  codec.setSerializer(serializer)
  if (c.codec.max_age !== undefined) codec.maxAge(c.codec.max_age)
  if (c.codec.min_age !== undefined) codec.minAge(c.codec.min_age)
  if (c.codec.max_length !== undefined) codec.maxLength(c.codec.max_length)
  return codec
}

/** Cases whose outcome depends on the Go destination type or on reading gob: not ours to match. */
function outOfScope(c: DecodeCase): boolean {
  // Gob decoding errors (garbage, wrong type, wrong block key) belong to the gob serializer.
  if (c.codec.serializer === 'gob' && isGobSerializerError(c.error)) return true
  // Go's NopEncoder fails for a *string destination; a TS decode has no runtime destination type.
  if (c.id === 'err/nop-dst-not-bytes-ptr') return true
  return false
}

describe('decode_cases', () => {
  const cases = vectors.decode_cases.filter((c) => !outOfScope(c))

  test('44 cases, 37 decided before deserialization or by json/nop', () => {
    assert.equal(vectors.decode_cases.length, 44)
    assert.equal(cases.length, 37)
  })

  for (const c of cases) {
    test(`${c.id}: ${c.ok ? 'ok' : c.error?.message}`, () => {
      const codecs = c.key_sets.map((id) => codecFor(c, id))
      const run = (): unknown =>
        c.call === 'DecodeMulti'
          ? decodeMulti(c.name, c.input, codecs)
          : (codecs[0] as SecureCookie).decode(c.name, c.input)
      if (c.ok) {
        const decoded = run()
        if (c.codec.serializer === 'gob') {
          // A gob string is a header and then the UTF-8 bytes of the string.
          const bytes = Buffer.from(decoded as Uint8Array)
          assert.ok(bytes.toString('utf8').endsWith(String(c.decoded)))
        } else if (c.codec.serializer === 'nop') {
          assert.deepEqual(decoded, goValue({ type: '[]byte(hex)', value: c.decoded }))
        } else {
          assert.deepEqual(decoded, c.decoded)
        }
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
          assert.ok(err.errors.every((e) => e instanceof DecodeError))
          assert.match(err.message, /\(and \d other errors?\)$/)
        } else {
          assert.ok(err instanceof DecodeError)
        }
        return true
      })
    })
  }

  test('decode_multi_single_codec: one failing codec still gives a MultiError', () => {
    const goError = vectors.decode_multi_single_codec.error
    const codec = new SecureCookie(keySet('hash-only').hashKey)
    assert.throws(
      () => decodeMulti('session-key', '!!', [codec]),
      (err: unknown) => {
        assert.ok(err instanceof MultiError)
        assert.equal(err.errors.length, 1)
        assert.equal(err.code, goErrorCode(goError))
        assert.equal(err.kind, goErrorKind(goError))
        assert.equal(err.message, err.errors[0]?.message)
        return true
      },
    )
  })
})

describe('encode_errors', () => {
  const failing = (code: string): ((err: unknown) => boolean) => {
    return (err) => {
      assert.ok(err instanceof UsageError)
      assert.equal(err.code, code)
      return true
    }
  }
  const checks: Record<string, (goCode: string) => void> = {
    // Go keeps the error in the codec and fails every call; we throw at construction.
    'hash-key-nil': (code) => assert.throws(() => new SecureCookie(null as never), failing(code)),
    'hash-key-nil-decode': (code) =>
      assert.throws(() => new SecureCookie(undefined as never).decode('s', 'x'), failing(code)),
    'block-key-bad-size': (code) =>
      assert.throws(() => new SecureCookie('h', new Uint8Array(11)), failing(code)),
    'block-key-empty-nonnil': (code) =>
      assert.throws(() => new SecureCookie('h', new Uint8Array(0)), failing(code)),
    'no-codecs': (code) => assert.throws(() => encodeMulti('s', 'v', []), failing(code)),
    'no-codecs-decode': (code) => assert.throws(() => decodeMulti('s', 'v', []), failing(code)),
    'multi-two-bad-codecs': (code) => {
      // Go builds two codecs that fail on use; ours refuse to be built...
      assert.throws(() => codecsFromPairs(null, null, null, null), failing(code))
      // ...and codecs that fail on use still add up to a MultiError with both errors.
      const bad: Codec = {
        encode: () => {
          throw new UsageError('ERR_HASH_KEY_NOT_SET', 'hash key is not set')
        },
        decode: () => assert.fail('not called'),
      }
      assert.throws(
        () => encodeMulti('s', 'v', [bad, bad]),
        (err: unknown) => {
          assert.ok(err instanceof MultiError)
          assert.equal(err.code, code)
          assert.equal(err.kind, 'usage')
          assert.equal(err.errors.length, 2)
          assert.equal(err.message, 'hash key is not set (and 1 other error)')
          return true
        },
      )
    },
    'too-long': (code) =>
      assert.throws(() => new SecureCookie('h').encode('s', 'x'.repeat(4096)), failing(code)),
    'too-long-multi': (code) =>
      assert.throws(
        () => encodeMulti('s', 'x'.repeat(4096), [new SecureCookie('h')]),
        (err: unknown) => {
          assert.ok(err instanceof MultiError)
          assert.equal(err.errors.length, 1)
          assert.equal(err.code, code)
          assert.equal(err.kind, 'usage')
          return true
        },
      ),
    // Go's JSON cannot write map[interface{}]interface{}; ours cannot write a Map (any keys).
    'json-values-map': (code) =>
      assert.throws(() => new SecureCookie('h').encode('s', new Map([[1, 'a']])), failing(code)),
    'nop-not-bytes': (code) =>
      assert.throws(
        () => new SecureCookie('h').setSerializer(bytesSerializer).encode('s', 'v'),
        (err: unknown) => failing(code)(err) && (err as Error).message === 'value not a []byte.',
      ),
  }
  // Gob's own failures (unregistered time.Time, a channel) are the gob serializer's to test.
  const gobOnly = new Set(['gob-unregistered-time', 'gob-chan'])

  test('every entry is checked or is gob-only', () => {
    assert.equal(vectors.encode_errors.length, 14)
    for (const e of vectors.encode_errors) {
      assert.ok(e.id in checks || gobOnly.has(e.id) || e.id === 'hash-key-empty-nonnil', e.id)
    }
  })

  for (const e of vectors.encode_errors.filter((e) => e.id in checks)) {
    test(`${e.id}: ${e.error?.message}`, () => {
      assert.ok(e.error !== null)
      assert.equal(goErrorKind(e.error), 'usage')
      checks[e.id]?.(goErrorCode(e.error))
    })
  }

  test('hash-key-empty-nonnil: Go v1.1.1 signs with an empty key; we refuse it, as v1.1.2', () => {
    const entry = vectors.encode_errors.find((e) => e.id === 'hash-key-empty-nonnil')
    assert.equal(entry?.error, null)
    // The vector's output really is signed with an empty HMAC key...
    const goOutput = /Output was: (\S+) /.exec(entry?.description ?? '')?.[1] ?? ''
    const outer = Buffer.from(decodeBase64Url(goOutput) as Uint8Array)
    const pipe2 = outer.indexOf(0x7c, outer.indexOf(0x7c) + 1)
    const mac = createHmac('sha256', Buffer.alloc(0))
      .update(Buffer.concat([Buffer.from('s|'), outer.subarray(0, pipe2)]))
      .digest()
    assert.deepEqual(outer.subarray(pipe2 + 1), mac)
    // ...which we do not allow: an empty key is no key.
    assert.throws(() => new SecureCookie(new Uint8Array(0)), failing('ERR_HASH_KEY_NOT_SET'))
    assert.throws(() => new SecureCookie(''), failing('ERR_HASH_KEY_NOT_SET'))
  })
})

describe('codecs_from_pairs', () => {
  for (const entry of vectors.codecs_from_pairs) {
    test(`${entry.n_args} args give ${entry.n_codecs} codecs: ${entry.codecs.join(', ')}`, () => {
      const args: Array<string | Uint8Array | null> = []
      const pairs = entry.codecs.map((desc) => {
        const [, hash, block] = /hash="(\w+)", block=(nil|\d+)/.exec(desc) ?? []
        const blockKey = block === 'nil' ? null : new Uint8Array(Number(block)).fill(7)
        return { hash: hash as string, blockKey }
      })
      for (const { hash, blockKey } of pairs) {
        args.push(hash)
        if (args.length < entry.n_args) args.push(blockKey)
      }
      assert.equal(args.length, entry.n_args)
      const codecs = codecsFromPairs(...args)
      assert.equal(codecs.length, entry.n_codecs)
      codecs.forEach((codec, i) => {
        const { hash, blockKey } = pairs[i] as (typeof pairs)[number]
        assert.equal(codec.encrypted, blockKey !== null)
        assert.deepEqual(codec.limits, { maxAge: 2592000, minAge: 0, maxLength: 4096 })
        // The codec holds exactly this pair: it reads what a codec built from the pair writes.
        const twin = new SecureCookie(hash, blockKey)
        assert.equal(codec.decode('n', twin.encode('n', i)), i)
        for (const other of codecs.filter((c) => c !== codec)) {
          assert.throws(() => other.decode('n', twin.encode('n', i)), DecodeError)
        }
      })
    })
  }

  test('a bad pair anywhere throws at once, so EncodeMulti never falls through to the next', () => {
    const good = new Uint8Array(32).fill(1)
    assert.throws(() => codecsFromPairs('h1', new Uint8Array(15), 'h2', good), {
      code: 'ERR_BLOCK_KEY_INVALID',
    })
    assert.throws(() => codecsFromPairs('h1', good, '', good), { code: 'ERR_HASH_KEY_NOT_SET' })
    assert.deepEqual(codecsFromPairs(), [])
  })

  test('a trailing options object reaches every codec', () => {
    const options = { now: () => 1700000000_000, randomBytes: () => new Uint8Array(16) }
    const [a, b] = codecsFromPairs('h1', new Uint8Array(16), 'h2', options)
    assert.equal(a?.encrypted, true)
    assert.equal(b?.encrypted, false)
    for (const codec of [a, b]) {
      const outer = Buffer.from(decodeBase64Url(codec?.encode('n', 'v') ?? '') as Uint8Array)
      assert.equal(outer.subarray(0, 11).toString(), '1700000000|')
    }
  })
})

describe('nop_encoder_in_place_mutation', () => {
  test('Go encrypts the caller slice in place; we leave it untouched', () => {
    const { before_hex, after_hex, mutated } = vectors.nop_encoder_in_place_mutation
    assert.equal(mutated, true)
    assert.notEqual(before_hex, after_hex)
    const { hashKey, blockKey } = keySet('aes128')
    const codec = new SecureCookie(hashKey, blockKey).setSerializer(bytesSerializer)
    const value = Buffer.from(before_hex, 'hex')
    const cookie = codec.encode('n', value)
    assert.equal(value.toString('hex'), before_hex)
    const decoded = codec.decode<Uint8Array>('n', cookie)
    assert.equal(Buffer.from(decoded).toString('hex'), before_hex)
    decoded.fill(0) // the caller owns what decode returns
    assert.equal(Buffer.from(codec.decode<Uint8Array>('n', cookie)).toString('hex'), before_hex)
  })
})
