/**
 * Property tests of the codec, about 2000 runs in all so `npm test` stays fast; the fuzz suite
 * (test/fuzz/codec.fuzz.test.ts) runs the same properties longer.
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
} from './codec-properties.ts'

describe('codec properties', () => {
  for (const shape of Object.keys(SHAPES) as Shape[]) {
    test(`any JSON value round-trips (${shape}, 150 runs)`, () => roundTrip(shape, 150))
  }
  test('a changed, truncated or extended cookie is a DecodeError, never parsed (600 runs)', () =>
    tampering(600))
  test('__proto__/constructor keys never reach a prototype (300 runs)', () => pollution(300))
  test('junk input is a DecodeError, never another throw (200 runs)', () => junk(200))
  test('base64url round-trips and accepts one spelling only (300 runs)', () => base64(300))
})
