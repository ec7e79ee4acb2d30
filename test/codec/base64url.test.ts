/**
 * Padded base64url: Go's URLEncoding on the way out, one canonical spelling on the way in.
 */

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeBase64Url, encodeBase64Url } from '../../src/codec/index.ts'

test('encodes as Go base64.URLEncoding: URL alphabet, = padding', () => {
  const cases: Array<[number[], string]> = [
    [[], ''],
    [[0x66], 'Zg=='],
    [[0x66, 0x6f], 'Zm8='],
    [[0x66, 0x6f, 0x6f], 'Zm9v'],
    [[0xfb, 0xff, 0xbf], '-_-_'],
  ]
  for (const [bytes, text] of cases) {
    assert.equal(encodeBase64Url(new Uint8Array(bytes)), text)
    assert.deepEqual(new Uint8Array(decodeBase64Url(text) as Uint8Array), new Uint8Array(bytes))
  }
  // A view into a larger buffer encodes only its own bytes.
  assert.equal(encodeBase64Url(new Uint8Array([1, 0x66, 0x6f, 0x6f, 2]).subarray(1, 4)), 'Zm9v')
})

test('every byte string round-trips, for every length mod 3', () => {
  const bytes = new Uint8Array(256).map((_, i) => i)
  for (let n = 0; n <= 256; n++) {
    const text = encodeBase64Url(bytes.subarray(0, n))
    assert.deepEqual(new Uint8Array(decodeBase64Url(text) as Uint8Array), bytes.subarray(0, n))
  }
})

test('rejects what Node would quietly accept', () => {
  const rejected = [
    'Zg', // no padding
    'Zg=', // short padding
    'Zg===', // extra padding
    'Zh==', // stray bits after the data
    'Zm9=', // stray bits after the data
    'Zm+v', // standard alphabet
    'Zm/v',
    'Zm 9v', // whitespace
    'Zm9v\n',
    '\rZm9v',
    'Z=g=', // padding inside
    '=Zg=',
    'Zm9v====',
    'Zm9vé===',
    '\u0000Zm9',
    '====',
  ]
  for (const text of rejected) assert.equal(decodeBase64Url(text), null, JSON.stringify(text))
})
