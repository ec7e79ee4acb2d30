/**
 * HmacSha256 (midstates in JavaScript for short messages, one-shot native hashing for long ones)
 * gives the bytes of node:crypto's createHmac.
 */

import assert from 'node:assert/strict'
import { createHmac, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { HmacSha256, JS_LIMIT } from '../../src/codec/hmac.ts'

test('equals createHmac for keys shorter, equal to and longer than the 64-byte block', () => {
  for (const keyLength of [1, 16, 32, 63, 64, 65, 100, 200]) {
    const key = randomBytes(keyLength)
    const mac = new HmacSha256(key)
    for (const dataLength of [0, 1, 55, 56, 64, 190, 300, 5000]) {
      const data = randomBytes(dataLength)
      const expected = createHmac('sha256', key).update('sid|').update(data).digest()
      assert.deepEqual(mac.digest('sid|', data), expected, `key ${keyLength}, data ${dataLength}`)
    }
  }
})

test('the prefix is taken as UTF-8, as Hmac.update(string) does', () => {
  const key = randomBytes(64)
  const mac = new HmacSha256(key)
  const data = Buffer.from('1700000000|payload')
  for (const name of ['sid', 'sé', '会话', '\u{1f36a}'.repeat(40)]) {
    const expected = createHmac('sha256', key).update(`${name}|`).update(data).digest()
    assert.deepEqual(mac.digest(`${name}|`, data), expected, name)
  }
})

test('a later, shorter call does not see bytes of an earlier, longer one', () => {
  const key = randomBytes(64)
  const mac = new HmacSha256(key)
  mac.digest('x', randomBytes(4000))
  const expected = createHmac('sha256', key).update('x').update('ab').digest()
  assert.deepEqual(mac.digest('x', Buffer.from('ab')), expected)
})

test('every message length across the padding edges and the JavaScript/native switch', () => {
  const key = randomBytes(64)
  const mac = new HmacSha256(key)
  for (let length = 0; length <= JS_LIMIT + 70; length++) {
    const data = randomBytes(length)
    const expected = createHmac('sha256', key).update('s|').update(data).digest()
    assert.deepEqual(mac.digest('s|', data), expected, `message of ${length + 2} bytes`)
  }
})
