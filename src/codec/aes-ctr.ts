/**
 * @module AES-CTR (Go's `cipher.NewCTR`: the whole 16-byte IV is one big-endian counter) from one
 * reused AES-ECB cipher per key.
 *
 * `crypto.createCipheriv` builds a native cipher context per call, which costs more than the
 * encryption of a cookie-sized value. An ECB context without padding has no state between calls:
 * encrypting the counter blocks IV, IV+1, ... gives CTR's keystream, and XOR with the data gives
 * CTR's output, in both directions. Past {@link KEYSTREAM_LIMIT} bytes a fresh CTR context is
 * cheaper than XOR in JavaScript, so long values take that path; both give the same bytes.
 */

import { Buffer } from 'node:buffer'
import { type Cipher, createCipheriv, type KeyObject } from 'node:crypto'

const BLOCK = 16
/** Longest input handled through the keystream; longer goes through a CTR context. */
export const KEYSTREAM_LIMIT = 512

/** AES-CTR under one key. Not re-entrant: the counter scratch buffer is reused. */
export class AesCtr {
  readonly #key: KeyObject
  readonly #algorithm: string
  readonly #ecb: Cipher
  readonly #counters = Buffer.alloc(KEYSTREAM_LIMIT)

  /** @param key The AES key (16, 24 or 32 bytes) as a secret KeyObject. */
  constructor(key: KeyObject, bits: number) {
    this.#key = key
    this.#algorithm = `aes-${bits}-ctr`
    this.#ecb = createCipheriv(`aes-${bits}-ecb`, key, null)
    this.#ecb.setAutoPadding(false)
  }

  /** `data` XOR the keystream starting at counter `iv` (16 bytes): encrypts and decrypts. */
  apply(iv: Uint8Array, data: Uint8Array): Buffer {
    if (data.length > KEYSTREAM_LIMIT) {
      return createCipheriv(this.#algorithm, this.#key, iv).update(data)
    }
    const blocks = Math.ceil(data.length / BLOCK)
    const counters = this.#counters
    counters.set(iv, 0)
    for (let b = 1; b < blocks; b++) {
      const at = b * BLOCK
      counters.copy(counters, at, at - BLOCK, at)
      // Add one to the 128-bit big-endian counter, carrying as far as it goes.
      for (let i = at + BLOCK - 1; i >= at; i--) {
        const next = ((counters[i] as number) + 1) & 0xff
        counters[i] = next
        if (next !== 0) break
      }
    }
    const stream = this.#ecb.update(counters.subarray(0, blocks * BLOCK))
    const out = Buffer.allocUnsafe(data.length)
    for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) ^ (stream[i] as number)
    return out
  }
}
