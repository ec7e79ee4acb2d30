/**
 * Live, against real Go (go/interop, gorilla/securecookie 1.1.1 with gob): what our codec encodes,
 * Go decodes with the same Go types, and what Go encodes, ours decodes; rotation and failures end
 * alike on both sides. Skipped, with a printed line, only when `go` is not on PATH.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  decodeMulti,
  encodeMulti,
  gobSerializer,
  goFloat32,
  goFloat64,
  goInt64,
  goUint8,
  PgStoreError,
  SecureCookie,
} from '../../src/index.ts'
import { goErrorCode, keySet } from '../codec/go-vectors.ts'
import { buildInterop, GoInterop, goAvailable, goKeys, reportSkip } from './interop.ts'
import { fromTyped, normalized, plainBytes, typedOf } from './typed.ts'

const hasGo = goAvailable()
if (!hasGo) reportSkip('test/go/cookies.test.ts')

/** One value of every Go type pgstore sessions hold, flashes and a nested map included. */
const sample = {
  text: 'héllo, 世界 🌍',
  empty: '',
  int: 42,
  negative: -129,
  large: 2 ** 40,
  int64: goInt64(5),
  int64Big: goInt64(2n ** 62n + 1n),
  uint64: 2n ** 63n + 5n,
  uint8: goUint8(200),
  float: 3.5,
  floatIntegral: goFloat64(3),
  float32: goFloat32(1.5),
  bytes: new Uint8Array([0, 1, 254, 255]),
  yes: true,
  no: false,
  nothing: null,
  _flash: ['hello', 7, goInt64(8)],
  nested: { a: 1, list: ['x', 2.25] },
}
const id = 'WBNEMJ4CTLAXSQPD75L4PWYNLU437N24UDCOPY2EFUECGHFNWN7A'

function codecs(...ids: string[]): SecureCookie[] {
  return ids.map((keySetId) => {
    const { hashKey, blockKey } = keySet(keySetId)
    return new SecureCookie(hashKey, blockKey).setSerializer(gobSerializer)
  })
}
const keysOf = (...ids: string[]) => goKeys(ids.map(keySet))

describe('cookies between our codec and Go securecookie', {
  // Only a developer machine without Go skips; in CI a missing Go fails the run instead.
  skip: hasGo || process.env.CI ? false : '`go` is not on PATH',
}, () => {
  let go: GoInterop
  before(() => {
    go = new GoInterop(buildInterop())
  })
  after(() => go?.close())

  for (const keySetId of ['hash-only', 'aes128', 'aes256', 'pgstore-test-secret']) {
    test(`${keySetId}: our values decode in Go with their Go types`, async () => {
      const [ours] = codecs(keySetId) as [SecureCookie]
      const values = await go.call({
        op: 'decode',
        keys: keysOf(keySetId),
        name: 'mysess',
        input: ours.encode('mysess', sample),
        dst: 'values',
      })
      assert.equal(values.error, undefined)
      assert.deepEqual(normalized(values.value as never), typedOf(sample))
      const text = await go.call({
        op: 'decode',
        keys: keysOf(keySetId),
        name: 'mysess',
        input: ours.encode('mysess', id),
        dst: 'string',
      })
      assert.deepEqual(text.value, { type: 'string', value: id })
    })

    test(`${keySetId}: Go's values decode in ours`, async () => {
      const [ours] = codecs(keySetId) as [SecureCookie]
      const encoded = await go.call({
        op: 'encode',
        keys: keysOf(keySetId),
        name: 'mysess',
        value: typedOf(sample),
      })
      assert.ok(encoded.ok)
      const decoded = ours.decode('mysess', encoded.encoded as string)
      assert.deepEqual(plainBytes(decoded), fromTyped(typedOf(sample)))
      const goId = await go.call({
        op: 'encode',
        keys: keysOf(keySetId),
        name: 'mysess',
        value: typedOf(id),
      })
      assert.equal(ours.decode('mysess', goId.encoded as string), id)
    })
  }

  test('rotation: [new, old] on either side reads the old pair; the old pair alone cannot read new', async () => {
    const [newCodec, oldCodec] = codecs('rot-new', 'rot-old') as [SecureCookie, SecureCookie]
    const byOld = oldCodec.encode('rot', { who: 'old' })
    const goReads = await go.call({
      op: 'decode',
      keys: keysOf('rot-new', 'rot-old'),
      name: 'rot',
      input: byOld,
      dst: 'values',
    })
    assert.deepEqual(goReads.value, typedOf({ who: 'old' }))

    const goOld = await go.call({
      op: 'encode',
      keys: keysOf('rot-old'),
      name: 'rot',
      value: typedOf({ who: 'go' }),
    })
    const both = [newCodec, oldCodec]
    assert.deepEqual(
      { ...decodeMulti<object>('rot', goOld.encoded as string, both) },
      { who: 'go' },
    )

    const byNew = encodeMulti('rot', { who: 'new' }, both)
    const oldOnly = await go.call({
      op: 'decode',
      keys: keysOf('rot-old'),
      name: 'rot',
      input: byNew,
      dst: 'values',
    })
    assert.equal(oldOnly.ok, false)
    assert.throws(
      () => oldCodec.decode('rot', byNew),
      (err: unknown) =>
        err instanceof PgStoreError && err.code === goErrorCode(oldOnly.error as never),
    )
  })

  test('tampered, renamed or foreign cookies fail on both sides with the same error', async () => {
    const [ours] = codecs('aes128') as [SecureCookie]
    const good = ours.encode('mysess', sample)
    const flipped = `${good.slice(0, 20)}${good[20] === 'A' ? 'B' : 'A'}${good.slice(21)}`
    const inputs = [
      { name: 'mysess', input: flipped },
      { name: 'other', input: good },
      { name: 'mysess', input: good.slice(0, -4) },
      { name: 'mysess', input: 'not a cookie' },
      { name: 'mysess', input: '' },
      { name: 'mysess', input: codecs('aes128-wrong-block')[0]?.encode('mysess', sample) ?? '' },
    ]
    for (const { name, input } of inputs) {
      const answer = await go.call({
        op: 'decode',
        keys: keysOf('aes128'),
        name,
        input,
        dst: 'values',
      })
      assert.equal(answer.ok, false, input)
      const goError = answer.error as NonNullable<typeof answer.error>
      assert.throws(
        () => decodeMulti(name, input, [ours]),
        (err: unknown) => err instanceof PgStoreError && err.code === goErrorCode(goError),
        goError.message,
      )
    }
  })
})
