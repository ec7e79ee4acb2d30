/**
 * Shared fixtures for the SecureCookie tests: fixed keys, a settable clock, hand-signed cookies.
 */

import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import {
  encodeBase64Url,
  jsonSerializer,
  SecureCookie,
  type Serializer,
} from '../../src/codec/index.ts'

export const HASH = 'hash-key-0123456789abcdefghijklm'
export const BLOCK = new Uint8Array(32).fill(9)
export const T0 = 1700000000

/** A codec whose clock reads `seconds` (changeable through the returned setter). */
export function clocked(seconds: number, block: Uint8Array | null = null) {
  const clock = { now: seconds }
  const codec = new SecureCookie(HASH, block, { now: () => clock.now * 1000 })
  return { codec, clock }
}

/** A correctly signed cookie from raw parts, to reach the checks after the MAC. */
export function signed(name: string, ts: string, payload: string, macLength = 32): string {
  const mac = createHmac('sha256', HASH).update(`${name}|${ts}|${payload}`).digest()
  const macBytes = Buffer.alloc(macLength, 1)
  mac.copy(macBytes, 0, 0, Math.min(32, macLength))
  return encodeBase64Url(Buffer.concat([Buffer.from(`${ts}|${payload}|`, 'latin1'), macBytes]))
}

export function code(expected: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof Error)
    assert.equal((err as { code?: string }).code, expected, err.message)
    return true
  }
}

/** A serializer that counts how often it is asked to read, to prove what runs before it. */
export function counting(): Serializer & { reads: number } {
  return {
    name: 'counting',
    reads: 0,
    serialize: (v) => jsonSerializer.serialize(v),
    deserialize(bytes) {
      this.reads++
      return jsonSerializer.deserialize(bytes)
    },
  }
}
