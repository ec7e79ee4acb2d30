/**
 * AesCtr (keystream from one reused ECB context) gives the bytes of node:crypto's AES-CTR, Go's
 * cipher.NewCTR: the whole IV is one 128-bit big-endian counter.
 */

import assert from 'node:assert/strict'
import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { AesCtr, KEYSTREAM_LIMIT } from '../../src/codec/aes-ctr.ts'

const lengths = [0, 1, 15, 16, 17, 54, 100, KEYSTREAM_LIMIT - 1, KEYSTREAM_LIMIT, 513, 3000]

test('equals createCipheriv aes-*-ctr for every key size and length', () => {
  for (const bits of [128, 192, 256]) {
    const key = randomBytes(bits / 8)
    const ctr = new AesCtr(createSecretKey(key), bits)
    for (const length of lengths) {
      const iv = randomBytes(16)
      const data = randomBytes(length)
      const expected = createCipheriv(`aes-${bits}-ctr`, key, iv).update(data)
      const got = ctr.apply(iv, data)
      assert.deepEqual(got, expected, `aes-${bits}, ${length} bytes`)
      assert.deepEqual(ctr.apply(iv, got), data, 'applying twice gives the data back')
    }
  }
})

test('the counter carries across all 16 bytes', () => {
  const key = randomBytes(32)
  const ctr = new AesCtr(createSecretKey(key), 256)
  const ivs = [
    Buffer.alloc(16, 0xff),
    Buffer.from('00000000000000000000000000fffffe', 'hex'),
    Buffer.from('0000000000000000ffffffffffffffff', 'hex'),
    Buffer.from('7fffffffffffffffffffffffffffffff', 'hex'),
  ]
  for (const iv of ivs) {
    const data = randomBytes(KEYSTREAM_LIMIT)
    const expected = createCipheriv('aes-256-ctr', key, iv).update(data)
    assert.deepEqual(ctr.apply(iv, data), expected, iv.toString('hex'))
  }
})
