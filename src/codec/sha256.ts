/**
 * @module The SHA-256 compression function (FIPS 180-4 §6.2) in JavaScript, for HMAC over short
 * messages.
 *
 * On Node.js 20 each `crypto.hash` call costs about 2 µs however short the input (the digest is
 * looked up and a native context made per call), so an HMAC of a cookie (two calls) spent most of
 * an encode there. The compression of one 64-byte block in JavaScript costs a fraction of that,
 * and HMAC over a key that never changes can start both hashes from a saved state (the "midstate"
 * after the padded key's block), which skips two of the five blocks. The code has no branch or
 * table index that depends on the data, so its time does not depend on the key or the message.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

/** The initial hash value H(0). */
export const SHA256_IV: Readonly<Int32Array> = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

/** The message schedule, shared: compression runs to completion without yielding. */
const W = new Int32Array(64)

/**
 * Compresses `blocks` 64-byte blocks of `bytes` from offset `at` into `state` (8 words, updated
 * in place).
 */
export function compress(state: Int32Array, bytes: Uint8Array, at: number, blocks: number): void {
  let h0 = state[0] as number
  let h1 = state[1] as number
  let h2 = state[2] as number
  let h3 = state[3] as number
  let h4 = state[4] as number
  let h5 = state[5] as number
  let h6 = state[6] as number
  let h7 = state[7] as number
  for (let block = 0; block < blocks; block++) {
    const base = at + block * 64
    for (let t = 0; t < 16; t++) {
      const i = base + t * 4
      W[t] =
        ((bytes[i] as number) << 24) |
        ((bytes[i + 1] as number) << 16) |
        ((bytes[i + 2] as number) << 8) |
        (bytes[i + 3] as number)
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15] as number
      const w2 = W[t - 2] as number
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
      W[t] = (s1 + (W[t - 7] as number) + s0 + (W[t - 16] as number)) | 0
    }
    let a = h0
    let b = h1
    let c = h2
    let d = h3
    let e = h4
    let f = h5
    let g = h6
    let h = h7
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + (K[t] as number) + (W[t] as number)) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
    h5 = (h5 + f) | 0
    h6 = (h6 + g) | 0
    h7 = (h7 + h) | 0
  }
  state[0] = h0
  state[1] = h1
  state[2] = h2
  state[3] = h3
  state[4] = h4
  state[5] = h5
  state[6] = h6
  state[7] = h7
}

/**
 * Writes SHA-256's padding for a message of `length` bytes in total (earlier blocks included)
 * whose last `tail` bytes sit at `buffer[0..tail)`; returns how many blocks `buffer` now holds.
 * `buffer` needs `tail + 72` bytes of room.
 */
export function pad(buffer: Uint8Array, tail: number, length: number): number {
  const blocks = Math.ceil((tail + 9) / 64)
  const end = blocks * 64
  buffer[tail] = 0x80
  buffer.fill(0, tail + 1, end - 8)
  // The length in bits, big-endian in 64 bits; messages here are far below 2^32 bytes.
  const bits = length * 8
  const high = Math.floor(bits / 0x100000000)
  writeWord(buffer, end - 8, high)
  writeWord(buffer, end - 4, bits >>> 0)
  return blocks
}

/** Writes the 8 words of `state` big-endian into `out` from `at`. */
export function writeState(state: Int32Array, out: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++) writeWord(out, at + i * 4, state[i] as number)
}

function writeWord(out: Uint8Array, at: number, word: number): void {
  out[at] = word >>> 24
  out[at + 1] = (word >>> 16) & 0xff
  out[at + 2] = (word >>> 8) & 0xff
  out[at + 3] = word & 0xff
}
