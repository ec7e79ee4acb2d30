/**
 * @module The cookie timestamp, parsed as Go parses it.
 */

import { Buffer } from 'node:buffer'

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

/**
 * Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, at least one digit, within int64. Returns
 * `null` where Go returns an error.
 */
export function parseTimestamp(bytes: Uint8Array): number | null {
  const first = bytes[0]
  const digitsFrom = first === 0x2b || first === 0x2d ? 1 : 0
  if (bytes.length === digitsFrom) return null
  for (let i = digitsFrom; i < bytes.length; i++) {
    const c = bytes[i] as number
    if (c < 0x30 || c > 0x39) return null
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  if (bytes.length - digitsFrom > 18) {
    const big = BigInt(text)
    if (big > INT64_MAX || big < INT64_MIN) return null
  }
  return Number(text)
}
