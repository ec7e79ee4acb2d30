/**
 * The codec's properties, shared by test/codec/properties.test.ts (a few hundred runs each, part of
 * `npm test`) and test/fuzz/codec.fuzz.test.ts (FUZZ_RUNS each, `npm run test:fuzz`).
 */

import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  bytesSerializer,
  decodeBase64Url,
  encodeBase64Url,
  SecureCookie,
} from '../../src/codec/index.ts'
import { DecodeError } from '../../src/errors.ts'
import { counting } from './fixtures.ts'

/** The key set shapes: sign only, or sign and encrypt with each AES key size. */
export const SHAPES = { 'hash only': 0, 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 } as const
export type Shape = keyof typeof SHAPES

const hashKey = fc.uint8Array({ minLength: 1, maxLength: 64 })
const blockKey = (size: number): fc.Arbitrary<Uint8Array | null> =>
  size === 0 ? fc.constant(null) : fc.uint8Array({ minLength: size, maxLength: size })
const anyShape = fc.constantFrom(...Object.values(SHAPES)).chain(blockKey)
const cookieName = fc.string({ unit: 'binary', maxLength: 16 })
const jsonValue = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 })

function assertDecodeError(run: () => unknown): void {
  assert.throws(run, (err: unknown) => err instanceof DecodeError && err.kind === 'decode')
}

/** Any JSON value round-trips, under any name and keys of the given shape. */
export function roundTrip(shape: Shape, numRuns: number): void {
  fc.assert(
    fc.property(
      hashKey,
      blockKey(SHAPES[shape]),
      cookieName,
      jsonValue,
      (hash, block, name, value) => {
        const codec = new SecureCookie(hash, block).maxLength(0)
        assert.deepEqual(codec.decode(name, codec.encode(name, value)), value)
      },
    ),
    { numRuns },
  )
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const replacement = fc.oneof(
  fc.constantFrom(...ALPHABET, '=', '+', '/', ' ', '\n', '|', '\u0000'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)
const tamper = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), with: replacement }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('extend' as const),
    with: fc.oneof(
      fc.string({ unit: fc.constantFrom(...ALPHABET, '='), minLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1 }),
    ),
  }),
)

/**
 * One changed character, a truncation or an extension of a valid cookie is a DecodeError, and the
 * serializer never sees the bytes.
 */
export function tampering(numRuns: number): void {
  fc.assert(
    fc.property(hashKey, anyShape, cookieName, jsonValue, tamper, (hash, block, name, value, t) => {
      const serializer = counting()
      const codec = new SecureCookie(hash, block).maxLength(0).setSerializer(serializer)
      const cookie = codec.encode(name, value)
      let changed: string
      if (t.kind === 'replace') {
        const at = t.at % cookie.length
        fc.pre(cookie[at] !== t.with)
        changed = cookie.slice(0, at) + t.with + cookie.slice(at + 1)
      } else if (t.kind === 'truncate') {
        changed = cookie.slice(0, t.at % cookie.length)
      } else {
        changed = cookie + t.with
      }
      assertDecodeError(() => codec.decode(name, changed))
      assert.equal(serializer.reads, 0)
    }),
    { numRuns },
  )
}

/** Any text decodes to a value or fails with a DecodeError, never another throw. */
export function junk(numRuns: number): void {
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom(...ALPHABET, '=') }),
    // Signed-looking: three parts, wrong MAC.
    fc
      .tuple(fc.string(), fc.string(), fc.uint8Array())
      .map(([ts, p, mac]) => encodeBase64Url(Buffer.concat([Buffer.from(`${ts}|${p}|`), mac]))),
  )
  fc.assert(
    fc.property(hashKey, anyShape, text, (hash, block, input) => {
      const codec = new SecureCookie(hash, block)
      assertDecodeError(() => codec.decode('n', input))
    }),
    { numRuns },
  )
}

const DANGEROUS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty']
const { json: hostileJson } = fc.letrec<{ json: string; object: string; array: string }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.json({ maxDepth: 1 }),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...DANGEROUS), fc.string()), tie('json')), {
      maxLength: 5,
    })
    .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  array: fc.array(tie('json'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
}))

/** Every object in a decoded value still has the standard prototype: no key replaced it. */
function assertPlain(value: unknown): void {
  if (typeof value !== 'object' || value === null) return
  const proto = Object.getPrototypeOf(value)
  assert.ok(proto === Object.prototype || proto === Array.prototype)
  for (const key of Object.keys(value)) assertPlain((value as Record<string, unknown>)[key])
}

/**
 * Hostile JSON with `__proto__`/`constructor` keys, as raw bytes (a forged but validly signed
 * payload) and re-encoded as a value, never touches Object.prototype nor an object's prototype.
 */
export function pollution(numRuns: number): void {
  const name = 'session'
  const before = Object.getOwnPropertyNames(Object.prototype).join()
  fc.assert(
    fc.property(hashKey, anyShape, hostileJson, (hash, block, text) => {
      const raw = new SecureCookie(hash, block).maxLength(0).setSerializer(bytesSerializer)
      const codec = new SecureCookie(hash, block).maxLength(0)
      const value = codec.decode(name, raw.encode(name, new TextEncoder().encode(text)))
      assertPlain(value)
      assert.deepEqual(codec.decode(name, codec.encode(name, value)), value)
      assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), before)
      assert.equal(({} as Record<string, unknown>).polluted, undefined)
    }),
    { numRuns },
  )
}

/** base64url: bytes round-trip, and whatever decodes is the one canonical spelling of its bytes. */
export function base64(numRuns: number): void {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 100 }),
      fc.string({ unit: fc.constantFrom(...ALPHABET, '=', '+', ' ') }),
      (bytes, text) => {
        assert.deepEqual(
          new Uint8Array(decodeBase64Url(encodeBase64Url(bytes)) as Uint8Array),
          bytes,
        )
        const decoded = decodeBase64Url(text)
        if (decoded !== null) assert.equal(encodeBase64Url(decoded), text)
      },
    ),
    { numRuns },
  )
}
