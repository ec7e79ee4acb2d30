/**
 * The JSON serializer against Go 1.19 encoding/json: what it writes (sorted keys, HTML escapes,
 * final newline) and how it reads (first value only, like json.Decoder).
 */

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeGoJson, encodeGoJson, jsonSerializer } from '../../src/codec/index.ts'

const utf8 = new TextEncoder()
const read = (text: string): unknown => decodeGoJson(utf8.encode(text))

describe('writing, as Go json.Encoder.Encode', () => {
  test('ends with a newline and escapes < > & U+2028 U+2029 (Go SetEscapeHTML default)', () => {
    assert.equal(encodeGoJson('a<b>&c\u2028\u2029'), '"a\\u003cb\\u003e\\u0026c\\u2028\\u2029"\n')
    // Go's bytes for "héllo <&>" in the fixed vectors.
    assert.equal(
      Buffer.from(jsonSerializer.serialize('héllo <&>')).toString('hex'),
      '2268c3a96c6c6f205c75303033635c75303032365c7530303365220a',
    )
  })

  test('control characters: \\n \\r \\t short, the rest \\u00XX (Go 1.19 has no \\b \\f)', () => {
    assert.equal(
      encodeGoJson('\n\r\t\b\f\u0001\u001f\u007f'),
      '"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\u007f"\n',
    )
    // An escaped backslash followed by b or f is text, not an escape to rewrite.
    assert.equal(encodeGoJson('\\b\\f'), '"\\\\b\\\\f"\n')
    assert.equal(encodeGoJson('"quoted" \\'), '"\\"quoted\\" \\\\"\n')
  })

  test('object keys are sorted by UTF-8 bytes, as Go sorts map keys', () => {
    const value = { b: 1, a: 2, '10': 3, '9': 4, B: 5, '\uffff': 6, '\u{1F600}': 7, é: 8 }
    assert.equal(
      encodeGoJson(value),
      '{"10":3,"9":4,"B":5,"a":2,"b":1,"é":8,"\uffff":6,"\u{1F600}":7}\n',
    )
    assert.equal(
      encodeGoJson({ list: ['a', 2], f: 3.5, n: 1, b: true, foo: 'bar' }),
      '{"b":true,"f":3.5,"foo":"bar","list":["a",2],"n":1}\n',
    )
  })

  test('numbers are formatted as Go formats float64', () => {
    const cases: Array<[number, string]> = [
      [1, '1'],
      [-0, '-0'],
      [3.5, '3.5'],
      [0.1, '0.1'],
      [1e20, '100000000000000000000'],
      [1e21, '1e+21'],
      [1e-6, '0.000001'],
      [1e-7, '1e-7'],
      [-2.25, '-2.25'],
      [2 ** 53, '9007199254740992'],
      [5e-324, '5e-324'],
    ]
    for (const [n, text] of cases) assert.equal(encodeGoJson(n), `${text}\n`)
  })

  test('what Go cannot encode is a usage error', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const bad: unknown[] = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      10n,
      Symbol('s'),
      () => 1,
      undefined,
      new Map(),
      new Set(),
      new Float64Array(1),
      cyclic,
      {
        toJSON: () => {
          throw new Error('no')
        },
      },
    ]
    for (const value of bad) {
      assert.throws(() => jsonSerializer.serialize(value), {
        name: 'UsageError',
        code: 'ERR_SERIALIZE',
      })
    }
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    assert.throws(() => jsonSerializer.serialize(deep), { code: 'ERR_SERIALIZE' })
  })

  test('JS-only shapes: undefined refused, Dates and bytes as Go writes them', () => {
    for (const lossy of [{ a: undefined }, { b: [undefined, 1] }, undefined]) {
      assert.throws(() => encodeGoJson(lossy), { code: 'ERR_SERIALIZE' })
    }
    assert.equal(
      encodeGoJson(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))),
      '"2024-01-02T03:04:05.000Z"\n',
    )
    // Go marshals []byte as standard base64.
    assert.equal(encodeGoJson({ k: new Uint8Array([0xfb, 0xff]) }), '{"k":"+/8="}\n')
    // A shared (non-cyclic) object is fine.
    const shared = { x: 1 }
    assert.equal(encodeGoJson([shared, shared]), '[{"x":1},{"x":1}]\n')
  })
})

describe('reading, as Go json.Decoder.Decode into interface{}', () => {
  test('one value; what follows it is ignored', () => {
    assert.deepEqual(read('{"a":1}garbage'), { a: 1 })
    assert.deepEqual(read(' \t\r\n[1,"]"] ['), [1, ']'])
    assert.equal(read('"a\\"b"xyz'), 'a"b')
    assert.equal(read('truex'), true)
    assert.equal(read('null,'), null)
    assert.equal(read('123abc'), 123)
    assert.equal(read('01'), 0)
    assert.equal(read('1.5.'), 1.5)
    assert.equal(read('1e5.'), 100000)
    assert.equal(read('-0'), -0)
  })

  test('an incomplete or invalid first value is a decode error', () => {
    for (const text of [
      '',
      '   ',
      'tru',
      '{',
      '{"a":1',
      '"open',
      '[}',
      '1.',
      '1.e5',
      '1e',
      '1.5e+',
      '-',
      '{nope}',
      '\ufeff{}',
      "'a'",
      'NaN',
    ]) {
      assert.throws(
        () => read(text),
        { name: 'DecodeError', code: 'ERR_COOKIE_DESERIALIZE' },
        JSON.stringify(text),
      )
    }
  })

  test('invalid UTF-8 becomes U+FFFD, as Go does in strings', () => {
    assert.equal(decodeGoJson(new Uint8Array([0x22, 0xff, 0x22])), '\ufffd')
  })

  test('__proto__ and constructor keys are own data; Object.prototype is untouched', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).join()
    const value = read(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}',
    ) as Record<string, unknown>
    assert.equal(Object.getPrototypeOf(value), Object.prototype)
    assert.ok(Object.hasOwn(value, '__proto__'))
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { polluted: 1 })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), before)
    // Writing it back keeps the key as data too.
    assert.equal(
      encodeGoJson(value),
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}\n',
    )
  })

  test('messages never quote the input', () => {
    assert.throws(
      () => read('{"secret-session-data'),
      (err: Error) => !err.message.includes('secret'),
    )
  })
})
