/**
 * The codec properties of test/codec/properties.test.ts, run long: FUZZ_RUNS runs each (default
 * 10000; the round trip splits them over the four key set shapes). Run with `npm run test:fuzz`.
 */

import { describe, test } from 'node:test'
import {
  base64,
  junk,
  pollution,
  roundTrip,
  SHAPES,
  type Shape,
  tampering,
} from '../codec/codec-properties.ts'

const runs = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10) || 10000
const shapes = Object.keys(SHAPES) as Shape[]

describe(`codec fuzz (${runs} runs per property)`, () => {
  for (const shape of shapes) {
    test(`any JSON value round-trips (${shape})`, () =>
      roundTrip(shape, Math.ceil(runs / shapes.length)))
  }
  test('a changed, truncated or extended cookie is a DecodeError, never parsed', () =>
    tampering(runs))
  test('__proto__/constructor keys never reach a prototype', () => pollution(runs))
  test('junk input is a DecodeError, never another throw', () => junk(runs))
  test('base64url round-trips and accepts one spelling only', () => base64(runs))
})
