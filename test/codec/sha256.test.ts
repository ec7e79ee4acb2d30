/**
 * The JavaScript SHA-256 compression and padding: whole hashes built from them equal node:crypto's
 * for every length over several blocks, and the FIPS 180-4 examples.
 */

import assert from 'node:assert/strict'
import { hash, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { compress, pad, SHA256_IV, writeState } from '../../src/codec/sha256.ts'

function sha256(message: Uint8Array): string {
  const state = Int32Array.from(SHA256_IV)
  const full = Math.floor(message.length / 64)
  compress(state, message, 0, full)
  const tail = new Uint8Array(64 + 72)
  tail.set(message.subarray(full * 64))
  compress(state, tail, 0, pad(tail, message.length - full * 64, message.length))
  const out = new Uint8Array(32)
  writeState(state, out, 0)
  return Buffer.from(out).toString('hex')
}

test('FIPS 180-4 examples: "abc" and the 448-bit message', () => {
  assert.equal(
    sha256(Buffer.from('abc')),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  )
  assert.equal(
    sha256(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  )
})

test('equals crypto.hash for every length from 0 to 300 bytes', () => {
  for (let length = 0; length <= 300; length++) {
    const message = randomBytes(length)
    assert.equal(sha256(message), hash('sha256', message), `${length} bytes`)
  }
})

test('the padding clears what an earlier, longer message left in the buffer', () => {
  const tail = new Uint8Array(64 + 72).fill(0xff)
  const state = Int32Array.from(SHA256_IV)
  compress(state, tail, 0, pad(tail, 3, 3))
  const out = new Uint8Array(32)
  writeState(state, out, 0)
  assert.equal(Buffer.from(out).toString('hex'), hash('sha256', Buffer.from([0xff, 0xff, 0xff])))
})
