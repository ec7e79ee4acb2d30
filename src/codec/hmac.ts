/**
 * @module HMAC-SHA256 (RFC 2104) with the key's work done once: short messages on saved
 * midstates in JavaScript, long ones on one-shot native hashing.
 *
 * HMAC is `H((K ^ opad) || H((K ^ ipad) || message))`. The padded keys never change, so they are
 * written once, and the hash state after each (one block each) is saved. `createHmac` would build
 * a native object and take the key again on every call. On Node.js 20 each `crypto.hash` call
 * costs one to two µs whatever its length, so for the messages a session cookie signs (about 100
 * bytes) starting from the midstates in JavaScript (`sha256.ts`) is faster: three blocks instead
 * of two native calls over five. Past {@link JS_LIMIT} bytes the native hash's speed per byte wins.
 * Both give the same 32 bytes as `createHmac('sha256', key)`.
 */

import { Buffer } from 'node:buffer'
import { hash } from 'node:crypto'
import { compress, pad, SHA256_IV, writeState } from './sha256.ts'

const BLOCK = 64
const DIGEST = 32
/** Room `pad` needs after the last byte of a message. */
const PADDING = 72
/** Longest message (bytes) hashed in JavaScript; measured crossover on Node.js 20, x86_64. */
export const JS_LIMIT = 128

/** HMAC-SHA256 under one key. Not re-entrant: the scratch buffers are reused across calls. */
export class HmacSha256 {
  readonly #innerStart = new Int32Array(8)
  readonly #outerStart = new Int32Array(8)
  readonly #state = new Int32Array(8)
  /** `K ^ ipad`, then the message, then room for padding. */
  #inner: Buffer = Buffer.alloc(BLOCK + 256 + PADDING)
  /** `K ^ opad`, then the inner digest: the outer hash's whole input. */
  readonly #outer: Buffer = Buffer.alloc(BLOCK + BLOCK)

  /** @param key Any length; longer than 64 bytes is hashed first, as RFC 2104 says. */
  constructor(key: Uint8Array) {
    const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key
    for (let i = 0; i < BLOCK; i++) {
      const byte = i < k.length ? (k[i] as number) : 0
      this.#inner[i] = byte ^ 0x36
      this.#outer[i] = byte ^ 0x5c
    }
    this.#innerStart.set(SHA256_IV)
    compress(this.#innerStart, this.#inner, 0, 1)
    this.#outerStart.set(SHA256_IV)
    compress(this.#outerStart, this.#outer, 0, 1)
  }

  /** The MAC of `prefix` (as UTF-8, as `Hmac.update(string)` takes it) followed by `data`. */
  digest(prefix: string, data: Uint8Array): Buffer {
    const most = BLOCK + prefix.length * 3 + data.length + PADDING
    if (most > this.#inner.length) this.#grow(most)
    const inner = this.#inner
    const length = inner.write(prefix, BLOCK, 'utf8') + data.length
    inner.set(data, BLOCK + length - data.length)
    if (length > JS_LIMIT) {
      const innerHash = hash('sha256', inner.subarray(0, BLOCK + length), 'buffer')
      innerHash.copy(this.#outer, BLOCK)
      return hash('sha256', this.#outer.subarray(0, BLOCK + DIGEST), 'buffer')
    }
    const state = this.#state
    state.set(this.#innerStart)
    const full = Math.floor(length / BLOCK)
    compress(state, inner, BLOCK, full)
    const tail = inner.subarray(BLOCK + full * BLOCK)
    // The padding overwrites the scratch past the message, never the padded key before it.
    compress(state, tail, 0, pad(tail, length - full * BLOCK, BLOCK + length))
    const outer = this.#outer.subarray(BLOCK)
    writeState(state, outer, 0)
    pad(outer, DIGEST, BLOCK + DIGEST)
    state.set(this.#outerStart)
    compress(state, outer, 0, 1)
    const mac = Buffer.allocUnsafe(DIGEST)
    writeState(state, mac, 0)
    return mac
  }

  #grow(length: number): void {
    const bigger = Buffer.alloc(Math.max(length, this.#inner.length * 2))
    this.#inner.copy(bigger, 0, 0, BLOCK)
    this.#inner = bigger
  }
}
