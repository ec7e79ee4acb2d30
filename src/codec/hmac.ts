/**
 * @module HMAC-SHA256 (RFC 2104) with the key's pads computed once, on one-shot hashing.
 *
 * `crypto.createHmac` builds a native HMAC object (and takes the key through a KeyObject) on every
 * call; for a cookie of a few dozen bytes that object costs more than the hashing. HMAC is
 * `H((K ^ opad) || H((K ^ ipad) || message))`: the two padded keys never change, so they are
 * written once into scratch buffers, and each MAC is two calls of `crypto.hash`, which makes no
 * object. The result is the same 32 bytes as `createHmac('sha256', key)`.
 */

import { Buffer } from 'node:buffer'
import { hash } from 'node:crypto'

const BLOCK = 64
const DIGEST = 32

/** HMAC-SHA256 under one key. Not re-entrant: the scratch buffers are reused across calls. */
export class HmacSha256 {
  #inner: Buffer
  readonly #outer: Buffer

  /** @param key Any length; longer than 64 bytes is hashed first, as RFC 2104 says. */
  constructor(key: Uint8Array) {
    const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key
    this.#inner = Buffer.alloc(BLOCK + 256)
    this.#outer = Buffer.alloc(BLOCK + DIGEST)
    for (let i = 0; i < BLOCK; i++) {
      const byte = i < k.length ? (k[i] as number) : 0
      this.#inner[i] = byte ^ 0x36
      this.#outer[i] = byte ^ 0x5c
    }
  }

  /** The MAC of `prefix` (as UTF-8, as `Hmac.update(string)` takes it) followed by `data`. */
  digest(prefix: string, data: Uint8Array): Buffer {
    const most = BLOCK + prefix.length * 3 + data.length
    if (most > this.#inner.length) this.#grow(most)
    const inner = this.#inner
    const at = BLOCK + inner.write(prefix, BLOCK, 'utf8')
    inner.set(data, at)
    const innerHash = hash('sha256', inner.subarray(0, at + data.length), 'buffer')
    innerHash.copy(this.#outer, BLOCK)
    return hash('sha256', this.#outer, 'buffer')
  }

  #grow(length: number): void {
    const bigger = Buffer.alloc(Math.max(length, this.#inner.length * 2))
    this.#inner.copy(bigger, 0, 0, BLOCK)
    this.#inner = bigger
  }
}
