/**
 * @module Session ids: 32 random bytes in RFC 4648 base32 without padding, 52 characters, as
 * gorilla/sessions and Go pgstore make them, so both sides accept each other's ids.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { InternalError } from '../errors.ts'

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** The shape of every id Go or we issue: 52 base32 characters, the last one `A` or `Q`. */
export const sessionIdPattern: RegExp = /^[A-Z2-7]{51}[AQ]$/

/** A source of cryptographically random bytes; injectable for tests. */
export type RandomBytes = (length: number) => Uint8Array

/** A fresh session id from 32 bytes of `random` (default `crypto.randomBytes`). */
export function newSessionId(random: RandomBytes = nodeRandomBytes): string {
  const bytes = random(32)
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new InternalError('ERR_RANDOM_FAILED', 'the random source did not return 32 bytes')
  }
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += alphabet[(buffer >>> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31]
  return out
}
