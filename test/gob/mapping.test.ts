import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  GoNumber,
  gobSerializer,
  goFloat32,
  goFloat64,
  goInt,
  goInt8,
  goInt16,
  goInt32,
  goInt64,
  goUint,
  goUint8,
  goUint16,
  goUint32,
  goUint64,
  goUintptr,
} from '../../src/codec/gob/index.ts'
import { DecodeError, UsageError } from '../../src/errors.ts'
import { fromHex, gobSamples, toHex } from './go-values.ts'

const { serialize, deserialize } = gobSerializer
const roundTrip = (v: unknown): unknown => deserialize(serialize(v))

function serializeError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(
    fn,
    (err) =>
      err instanceof UsageError &&
      err.code === 'ERR_SERIALIZE' &&
      (pattern === undefined || pattern.test(err.message)),
  )
}

/** The registered Go name written before the value, as our writer emitted it. */
function goNameOf(value: unknown): string {
  const bytes = Buffer.from(serialize({ v: value }))
  // After the "v" key comes the value: its name length, then the name.
  const at = bytes.indexOf(Buffer.from('string\x0c\x03\x00\x01v', 'latin1')) + 11
  return bytes.subarray(at + 1, at + 1 + bytes[at]!).toString('latin1')
}

describe('gobSerializer: the JavaScript mapping', () => {
  it('is named gob', () => {
    assert.equal(gobSerializer.name, 'gob')
  })

  it('picks Go types for plain values as documented', () => {
    assert.equal(goNameOf('s'), 'string')
    assert.equal(goNameOf(true), 'bool')
    assert.equal(goNameOf(1), 'int')
    assert.equal(goNameOf(-0), 'int')
    assert.equal(goNameOf(1.5), 'float64')
    assert.equal(goNameOf(Number.NaN), 'float64')
    assert.equal(goNameOf(2 ** 53), 'float64')
    assert.equal(goNameOf(5n), 'int64')
    assert.equal(goNameOf(2n ** 63n), 'uint64')
    assert.equal(goNameOf(new Uint8Array(2)), '[]uint8')
    assert.equal(goNameOf([]), '[]interface {}')
    assert.equal(goNameOf({}), 'map[interface {}]interface {}')
    assert.equal(goNameOf(new Map()), 'map[interface {}]interface {}')
  })

  it('writes each GoNumber wrapper under its own Go name and reads it back as a plain number', () => {
    const cases: [GoNumber, unknown][] = [
      [goInt(-7), -7],
      [goInt8(-128), -128],
      [goInt16(32767), 32767],
      [goInt32(-(2 ** 31)), -(2 ** 31)],
      [goInt64(2n ** 63n - 1n), 2n ** 63n - 1n],
      [goUint(2 ** 40), 2 ** 40],
      [goUint8(255), 255],
      [goUint16(65535), 65535],
      [goUint32(2 ** 32 - 1), 2 ** 32 - 1],
      [goUint64(2n ** 64n - 1n), 2n ** 64n - 1n],
      [goUintptr(1), 1],
      [goFloat32(0.1), Math.fround(0.1)],
      [goFloat64(3), 3],
    ]
    for (const [wrapped, plain] of cases) {
      assert.equal(goNameOf(wrapped), wrapped.type)
      assert.deepStrictEqual(roundTrip({ v: wrapped }), { __proto__: null, v: plain })
    }
  })

  it('goFloat64(3) keeps an integral float a float64: the float64 sample bytes', () => {
    const sample = gobSamples.find((s) => s.id === 'map-string-float-zero')!
    assert.equal(toHex(serialize({ f: goFloat64(0) })), sample.hex)
    assert.notEqual(toHex(serialize({ f: 0 })), sample.hex)
  })

  it('checks wrapper ranges', () => {
    serializeError(() => goInt8(128), /int8/)
    serializeError(() => goUint(-1), /uint/)
    serializeError(() => goInt(1.5), /integer/)
    serializeError(() => goInt64(2n ** 63n), /int64/)
    serializeError(() => goUint64(2n ** 64n), /uint64/)
    serializeError(() => goFloat32(1e39), /float32/)
    serializeError(() => new GoNumber('float64', 1n), /bigint/)
    assert.equal(goFloat32(Number.POSITIVE_INFINITY).value, Number.POSITIVE_INFINITY)
  })

  it('turns integers beyond 2^53 into bigints, never rounded', () => {
    const big = 2n ** 53n + 1n
    assert.deepStrictEqual(roundTrip({ a: big, b: -big, c: 2n ** 53n - 1n }), {
      __proto__: null,
      a: big,
      b: -big,
      c: 2 ** 53 - 1,
    })
  })

  it('keeps special floats', () => {
    const out = roundTrip({ nan: Number.NaN, inf: Infinity, ninf: -Infinity, nz: goFloat64(-0) })
    assert.deepStrictEqual(out, {
      __proto__: null,
      nan: Number.NaN,
      inf: Infinity,
      ninf: -Infinity,
      nz: -0,
    })
  })

  it('reads string-keyed maps as null-prototype objects, so __proto__ is plain data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}')
    const out = roundTrip(input) as Record<string, unknown>
    assert.equal(Object.getPrototypeOf(out), null)
    assert.ok(Object.hasOwn(out, '__proto__'))
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, {
      __proto__: null,
      polluted: true,
    })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })

  it('reads maps with any non-string key as a Map, nil keys and values as null', () => {
    const input = new Map<unknown, unknown>([
      [1, 'one'],
      ['s', null],
      [null, true],
      [false, 2.5],
    ])
    assert.deepStrictEqual(roundTrip(input), input)
    const sample = gobSamples.find((s) => s.id === 'map-int-key')!
    assert.deepStrictEqual(deserialize(fromHex(sample.hex)), new Map([[42, 43]]))
  })

  it('copies byte slices out of the input', () => {
    const sample = gobSamples.find((s) => s.id === 'map-string-bytes')!
    const input = fromHex(sample.hex)
    const out = deserialize(input) as { b: Uint8Array }
    input.fill(0)
    assert.deepStrictEqual(out.b, fromHex('000102ff'))
  })

  it('ignores bytes after the value, as Go reads one value and stops', () => {
    const sample = gobSamples.find((s) => s.id === 'string-hello')!
    const bytes = Uint8Array.from([...fromHex(sample.hex), 0xff, 0x00, 0x13])
    assert.equal(deserialize(bytes), 'hello')
  })

  it('accepts integers padded to more bytes than needed, as Go does', () => {
    // "hello" with its message length 8 written as an 8-byte gob uint
    const padded = [0xf8, 0, 0, 0, 0, 0, 0, 0, 8, ...fromHex('0c000568656c6c6f')]
    assert.equal(deserialize(Uint8Array.from(padded)), 'hello')
  })

  it('refuses what it cannot represent at the top level', () => {
    for (const v of [undefined, null, 42, true, 1n, [], new Uint8Array(1), new Date(), () => 1]) {
      serializeError(() => serialize(v), /cannot serialize/)
    }
    serializeError(() => serialize(Symbol('s')), /symbol/)
    serializeError(() => serialize(new (class Session {})()), /Session/)
    serializeError(() => serialize(Number.NaN), /NaN/)
  })

  it('refuses what it cannot represent inside a map', () => {
    serializeError(() => serialize({ a: undefined }), /undefined/)
    serializeError(() => serialize({ a: () => 1 }), /function/)
    serializeError(() => serialize({ a: Symbol('s') }), /symbol/)
    serializeError(() => serialize({ a: [new Date()] }), /Date/)
    serializeError(() => serialize({ a: new Set() }), /Set/)
    serializeError(() => serialize({ a: 2n ** 64n }), /range/)
    serializeError(() => serialize(new Map([[new Uint8Array(1), 1]])), /map key/)
    serializeError(() => serialize(new Map([[[1], 1]])), /map key/)
    serializeError(
      () =>
        serialize(
          new Map<unknown, number>([
            [1, 1],
            [goInt(1), 2],
          ]),
        ),
      /same Go/,
    )
    serializeError(() => serialize({ s: 'a\uD800b' }), /surrogate/)
    serializeError(() => serialize('\uDFFF'), /surrogate/)
  })

  it('refuses cycles and nesting deeper than 64', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = { again: cyclic }
    serializeError(() => serialize(cyclic), /cyclic/)
    const list: unknown[] = []
    list.push(list)
    serializeError(() => serialize({ list }), /cyclic/)
    let deep: unknown = 'leaf'
    for (let i = 0; i < 63; i++) deep = [deep]
    assert.deepStrictEqual(roundTrip({ deep }), { __proto__: null, deep })
    serializeError(() => serialize({ deep: [deep] }), /nested deeper than 64/)
    // A shared (not cyclic) object is fine: Go gets two copies.
    const shared = { x: 1 }
    assert.deepStrictEqual(roundTrip({ a: shared, b: shared }), {
      __proto__: null,
      a: { __proto__: null, x: 1 },
      b: { __proto__: null, x: 1 },
    })
  })

  it('wraps a throwing getter as a UsageError, keeping the cause', () => {
    const boom = new Error('boom')
    const value = {
      get x(): never {
        throw boom
      },
    }
    assert.throws(
      () => serialize(value),
      (err) => err instanceof UsageError && err.code === 'ERR_SERIALIZE' && err.cause === boom,
    )
  })

  it('empty input is a DecodeError', () => {
    assert.throws(() => deserialize(new Uint8Array(0)), DecodeError)
  })
})
