import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  type GobKey,
  type GobValue,
  GoNumber,
  gobSerializer,
  goFloat32,
  goFloat64,
  goInt8,
  goInt16,
  goInt32,
  goInt64,
  goUint,
  goUint8,
  goUint16,
  goUint32,
  goUint64,
} from '../../src/codec/gob/index.ts'

const RUNS = 300
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

/** What our reader returns for a value we wrote: Go types forgotten, numbers plain. */
function decodedForm(v: GobValue): GobValue {
  if (v instanceof GoNumber) {
    if (v.type === 'float32' || v.type === 'float64') return v.value
    return decodedForm(v.value)
  }
  if (typeof v === 'number') return Object.is(v, -0) ? 0 : v
  if (typeof v === 'bigint') {
    return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v
  }
  if (Array.isArray(v)) return v.map(decodedForm)
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v
  const entries: [GobKey, GobValue][] =
    v instanceof Map ? [...v] : Object.keys(v).map((k) => [k, (v as Record<string, GobValue>)[k]!])
  const normalized = entries.map(([k, x]) => [decodedForm(k) as GobKey, decodedForm(x)] as const)
  if (normalized.every(([k]) => typeof k === 'string')) {
    const out = Object.create(null)
    for (const [k, x] of normalized) out[k as string] = x
    return out
  }
  return new Map(normalized)
}

const str = fc.string({ unit: 'binary', maxLength: 12 })

const goNumber: fc.Arbitrary<GoNumber> = fc.oneof(
  fc.integer({ min: -128, max: 127 }).map(goInt8),
  fc.integer({ min: -32768, max: 32767 }).map(goInt16),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(goInt32),
  fc.bigInt({ min: INT64_MIN, max: 2n ** 63n - 1n }).map(goInt64),
  fc.bigInt({ min: 0n, max: UINT64_MAX }).map(goUint),
  fc.integer({ min: 0, max: 255 }).map(goUint8),
  fc.integer({ min: 0, max: 65535 }).map(goUint16),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(goUint32),
  fc.bigInt({ min: 0n, max: UINT64_MAX }).map(goUint64),
  fc.float().map(goFloat32),
  fc.double().map(goFloat64),
)

const scalar: fc.Arbitrary<GobValue> = fc.oneof(
  str,
  fc.boolean(),
  fc.constant(null),
  fc.maxSafeInteger(),
  fc.double(),
  fc.bigInt({ min: INT64_MIN, max: UINT64_MAX }),
  fc.uint8Array({ maxLength: 8 }),
  goNumber,
)

// Keys that stay distinct after decoding (a wrapper and a plain number could meet as one key).
const mapKey: fc.Arbitrary<GobKey> = fc.oneof(
  str,
  fc.boolean(),
  fc.constant(null),
  fc.maxSafeInteger(),
  fc.double().filter((x) => !Number.isInteger(x)),
  fc.bigInt({ min: 2n ** 53n, max: UINT64_MAX }),
)

const keyIdentity = ([k]: readonly [GobKey, GobValue]): string => `${typeof k}:${String(k)}`

const { value, top } = fc.letrec<{
  value: GobValue
  top: GobValue
  object: GobValue
  map: GobValue
}>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5, withCrossShrink: true },
    scalar,
    scalar,
    tie('top'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  top: fc.oneof(tie('object'), tie('map')),
  object: fc
    .uniqueArray(fc.tuple(str, tie('value')), { maxLength: 5, selector: ([k]) => k })
    .map((entries) => {
      const out = Object.create(null)
      for (const [k, x] of entries) out[k] = x
      return out
    }),
  map: fc
    .uniqueArray(fc.tuple(mapKey, tie('value')), { maxLength: 5, selector: keyIdentity })
    .map((entries) => new Map(entries)),
}))

describe('gob round trip (fast-check)', () => {
  it('a top-level map decodes to its decoded form', () => {
    fc.assert(
      fc.property(top, (v) => {
        const bytes = gobSerializer.serialize(v)
        assert.deepStrictEqual(gobSerializer.deserialize(bytes), decodedForm(v))
      }),
      { numRuns: RUNS },
    )
  })

  it('re-encoding a decoded map is stable: same value, same bytes', () => {
    fc.assert(
      fc.property(top, (v) => {
        const once = gobSerializer.deserialize(gobSerializer.serialize(v))
        const bytes = gobSerializer.serialize(once)
        assert.deepStrictEqual(gobSerializer.deserialize(bytes), once)
        assert.deepStrictEqual(gobSerializer.serialize(gobSerializer.deserialize(bytes)), bytes)
      }),
      { numRuns: RUNS },
    )
  })

  it('a top-level string round-trips, framed as Go frames it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const bytes = gobSerializer.serialize(s)
        assert.equal(gobSerializer.deserialize(bytes), s)
        // ... 0x0c (type id 6, string) then the zero singleton delta, after the message length.
        const utf8 = Buffer.from(s, 'utf8')
        assert.deepStrictEqual(Buffer.from(bytes.subarray(bytes.length - utf8.length)), utf8)
      }),
      { numRuns: RUNS },
    )
  })

  it('values nested inside slices and maps keep their decoded form', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 6 }), (items) => {
        const wrapped = { items }
        const out = gobSerializer.deserialize(gobSerializer.serialize(wrapped))
        assert.deepStrictEqual(out, decodedForm(wrapped))
      }),
      { numRuns: RUNS },
    )
  })
})
