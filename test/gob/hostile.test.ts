import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { gobSerializer } from '../../src/codec/gob/index.ts'
import { DecodeError } from '../../src/errors.ts'
import { fromHex, gobPayloads, gobSamples } from './go-values.ts'

const corpus = [
  ...gobSamples.filter((s) => s.error === undefined).map((s) => fromHex(s.hex)),
  ...gobPayloads.map((p) => fromHex(p.hex)),
]

function isDeserializeError(err: unknown): boolean {
  return err instanceof DecodeError && err.code === 'ERR_COOKIE_DESERIALIZE'
}

/** Decodes, and if that works, checks the value survives our own writer: never another error. */
function decodeOrTypedError(bytes: Uint8Array): void {
  let value: unknown
  try {
    value = gobSerializer.deserialize(bytes)
  } catch (err) {
    assert.ok(isDeserializeError(err), `unexpected error: ${String(err)}`)
    return
  }
  assert.deepStrictEqual(gobSerializer.deserialize(gobSerializer.serialize(value)), value)
}

function rejects(bytes: Uint8Array, pattern?: RegExp): void {
  assert.throws(
    () => gobSerializer.deserialize(bytes),
    (err) => isDeserializeError(err) && (pattern === undefined || pattern.test(String(err))),
  )
}

/** A gob unsigned integer, written independently of the code under test. */
function gobUint(n: bigint | number): number[] {
  let v = BigInt(n)
  if (v < 128n) return [Number(v)]
  const out: number[] = []
  for (; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn))
  return [256 - out.length, ...out]
}

const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')]
const message = (body: number[]): number[] => [...gobUint(body.length), ...body]
const MAP_DEF = [...fromHex('0eff81040102ff8200011001100000')]
const STRING_KEY_K = [6, ...ascii('string'), 0x0c, 3, 0, 1, ...ascii('k')]
const SLICE_NAME = [14, ...ascii('[]interface {}')]
const SLICE_DEF = [0xff, 0x83, 0x02, 0x01, 0x02, 0xff, 0x84, 0x00, 0x01, 0x10, 0x00, 0x00]

/** `{"k": [[[...]]]}` with `depth` nested []interface{}, laid out as Go would (inline definition). */
function nestedSlices(depth: number): Uint8Array {
  const body = [0xff, 0x82, 0x00, 0x01, ...STRING_KEY_K]
  for (let i = 0; i < depth; i++) {
    body.push(...SLICE_NAME)
    // The first use defines the type inline, followed by the byte count of the value it interrupted.
    if (i === 0) body.push(...SLICE_DEF, 0)
    // type id 66, byte count (ignored by readers), singleton delta, one element
    body.push(0xff, 0x84, 0, 0, 1)
  }
  body.push(0)
  return Uint8Array.from([...MAP_DEF, ...message(body)])
}

describe('hostile gob input', () => {
  it('every strict prefix of every Go payload is a DecodeError', () => {
    let checked = 0
    for (const bytes of corpus) {
      for (let n = 0; n < bytes.length; n++) {
        rejects(bytes.subarray(0, n))
        checked++
      }
    }
    assert.ok(checked > 5000)
  })

  it('random byte flips give a value or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (original, flips) => {
          const bytes = original.slice()
          for (const [at, b] of flips) bytes[at % bytes.length] = b
          decodeOrTypedError(bytes)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('random bytes and random tails after a valid head give a value or a DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...corpus), (tail, head) => {
        decodeOrTypedError(tail)
        decodeOrTypedError(Uint8Array.from([...head.subarray(0, head.length >> 1), ...tail]))
      }),
      { numRuns: 2000 },
    )
  })

  it('a declared length of 2^62 is refused before anything is allocated', () => {
    const huge = gobUint(2n ** 62n)
    // as the message length
    rejects(Uint8Array.from([...huge, 0x0c, 0x00, 0x00]), /length/)
    // as a top-level string's length
    rejects(Uint8Array.from(message([0x0c, 0x00, ...huge, 0x61])), /length/)
    // as a map's entry count
    rejects(Uint8Array.from([...MAP_DEF, ...message([0xff, 0x82, 0x00, ...huge])]), /count/)
    // as an interface name's length, and as a []byte's length
    rejects(Uint8Array.from([...MAP_DEF, ...message([0xff, 0x82, 0x00, 1, ...huge])]), /length/)
    const bytesValue = [7, ...ascii('[]uint8'), 0x0a, 0x0a, 0x00, ...huge, 1]
    const body = [0xff, 0x82, 0x00, 0x01, ...STRING_KEY_K, ...bytesValue]
    rejects(Uint8Array.from([...MAP_DEF, ...message(body)]), /length/)
    // as a slice's element count
    const slice = [...SLICE_NAME, ...SLICE_DEF, 0, 0xff, 0x84, 0, 0, ...huge]
    rejects(
      Uint8Array.from([...MAP_DEF, ...message([0xff, 0x82, 0, 1, ...STRING_KEY_K, ...slice])]),
    )
  })

  it('an integer wider than 8 bytes is refused', () => {
    rejects(Uint8Array.from([0xf7, 1, 2, 3, 4, 5, 6, 7, 8, 9]), /unsigned integer/)
  })

  it('nesting 10_000 deep is refused typed (not a stack overflow); 64 levels are fine, 65 are not', () => {
    // The depth check runs before each nested value is read, so a deep input fails at level 65
    // with the typed error rather than exhausting the stack (a RangeError would not match).
    rejects(nestedSlices(10_000), /nested too deeply/)
    // The top-level map is level 1.
    const deepest = gobSerializer.deserialize(nestedSlices(63)) as { k: unknown }
    let level = 1
    for (let v: unknown = deepest.k; Array.isArray(v); v = v[0]) level++
    assert.equal(level, 64)
    rejects(nestedSlices(64), /nested too deeply/)
  })

  it('the hand-built nesting matches what our writer emits', () => {
    let v: unknown = null
    for (let i = 0; i < 3; i++) v = [v]
    const written = gobSerializer.serialize({ k: v })
    assert.deepStrictEqual(gobSerializer.deserialize(nestedSlices(3)), { __proto__: null, k: v })
    assert.deepStrictEqual(gobSerializer.deserialize(written), { __proto__: null, k: v })
  })

  it('too many map entries for the bytes left is refused', () => {
    const body = [0xff, 0x82, 0x00, ...gobUint(2 ** 31), ...STRING_KEY_K]
    rejects(Uint8Array.from([...MAP_DEF, ...message(body)]), /count/)
  })

  it('an undefined type id is refused', () => {
    rejects(Uint8Array.from(message([0xff, 0x8c, 0x00, 0x00])), /unknown type id/)
    const body = [0xff, 0x82, 0x00, 0x01, ...STRING_KEY_K, ...SLICE_NAME, 0xff, 0x90, 0, 0, 0]
    rejects(Uint8Array.from([...MAP_DEF, ...message(body)]), /unknown type id/)
  })

  it('a type defined twice, or a predefined id redefined, is refused', () => {
    rejects(Uint8Array.from([...MAP_DEF, ...MAP_DEF]), /duplicate type/)
    // id 7 (complex128) is predefined: 0x0d is the signed int -7
    rejects(Uint8Array.from(message([0x0d, ...MAP_DEF.slice(3)])), /duplicate type/)
  })

  it('a struct definition is parsed, and a struct value refused', () => {
    // wireType{StructT: {CommonType{Name: "T", Id: 65}, Field: [{Name: "A", Id: int}]}}
    const def = [0xff, 0x81, 0x03, 0x01, 0x01, 0x01, 0x54, 0x01, 0xff, 0x82, 0x00]
    def.push(0x01, 0x01, 0x01, 0x01, 0x41, 0x01, 0x04, 0x00, 0x00, 0x00)
    rejects(
      Uint8Array.from([...message(def), ...message([0xff, 0x82, 0x01, 0x02, 0x00])]),
      /struct/,
    )
  })

  it('time.Time and other unregistered Go types are refused by name', () => {
    // A time.Time is a GobEncoder: wireType{GobEncoderT: {CommonType{Name: "Time", Id: 66}}}
    const def = [
      0xff,
      0x83,
      0x05,
      0x01,
      0x01,
      0x04,
      ...ascii('Time'),
      0x01,
      0xff,
      0x84,
      0x00,
      0x00,
      0x00,
    ]
    const body = [0xff, 0x82, 0x00, 0x01, ...STRING_KEY_K, 9, ...ascii('time.Time'), ...def, 0]
    const value = [0xff, 0x84, 0x03, 0x02, 0x01, 0x00]
    const bytes = Uint8Array.from([...MAP_DEF, ...message(body), ...message(value)])
    rejects(bytes, /"time\.Time"/)
  })

  it('a value whose name and wire type disagree is refused', () => {
    // "k": 1 sent with the name "string" but the wire type int
    const mismatch = [0xff, 0x82, 0, 1, ...STRING_KEY_K, 6, ...ascii('string'), 0x04, 2, 0, 2]
    rejects(Uint8Array.from([...MAP_DEF, ...message(mismatch)]), /type mismatch/)
    // "k": int8(128): the wire int is fine, the name's range is not
    const int8Overflow = [0xff, 0x82, 0, 1, ...STRING_KEY_K, 4, ...ascii('int8'), 0x04, 4, 0]
    int8Overflow.push(...gobUint(256))
    rejects(Uint8Array.from([...MAP_DEF, ...message(int8Overflow)]), /out of range for int8/)
  })

  it('invalid UTF-8 in a Go string is refused rather than replaced', () => {
    rejects(fromHex('080c000568ff6c6c6f'), /UTF-8/)
  })

  it('a map keyed by a slice (Go panics on it) is refused', () => {
    const body = [0xff, 0x82, 0x00, 0x01, 7, ...ascii('[]uint8'), 0x0a, 0x03, 0x00, 0x01, 0x61, 0]
    rejects(Uint8Array.from([...MAP_DEF, ...message(body)]), /unhashable/)
  })

  it('duplicate keys are refused, also when distinct Go keys meet as one JavaScript key', () => {
    const entry = [...STRING_KEY_K, 0]
    rejects(
      Uint8Array.from([...MAP_DEF, ...message([0xff, 0x82, 0, 2, ...entry, ...entry])]),
      /duplicate/,
    )
    const intOne = [3, ...ascii('int'), 0x04, 0x02, 0x00, 0x02]
    const int64One = [5, ...ascii('int64'), 0x04, 0x02, 0x00, 0x02]
    const body = [0xff, 0x82, 0, 2, ...intOne, 0, ...int64One, 0]
    rejects(Uint8Array.from([...MAP_DEF, ...message(body)]), /duplicate/)
  })

  it('a non-Uint8Array argument is a DecodeError', () => {
    rejects('0c' as unknown as Uint8Array)
  })
})
