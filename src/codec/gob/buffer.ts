/**
 * @module A growable byte buffer that writes gob integers, floats and strings.
 */

/**
 * One gob message under construction. Go frames each finished buffer with its length
 * ({@link GobBuffer.message}); nested interface values build their own buffer first for that reason.
 */
export class GobBuffer {
  private data: Uint8Array = new Uint8Array(64)
  private size = 0

  /** Number of bytes written so far. */
  get length(): number {
    return this.size
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.data.slice(0, this.size)
  }

  /** Appends raw bytes. */
  bytes(src: Uint8Array): void {
    this.reserve(src.length)
    this.data.set(src, this.size)
    this.size += src.length
  }

  /**
   * A gob unsigned integer: below 128 one byte, else the negated byte count then the big-endian
   * bytes without leading zeros.
   */
  uint(value: number | bigint): void {
    if (typeof value === 'number' && value < 0x80) {
      this.byte(value)
      return
    }
    let big = BigInt(value)
    const out: number[] = []
    while (big > 0n) {
      out.unshift(Number(big & 0xffn))
      big >>= 8n
    }
    this.byte(0x100 - out.length)
    this.bytes(Uint8Array.from(out))
  }

  /** A gob signed integer: `i << 1`, or `(^i << 1) | 1` when negative. */
  int(value: number | bigint): void {
    if (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < 2 ** 51) {
      this.uint(value < 0 ? -value * 2 - 1 : value * 2)
      return
    }
    const big = BigInt(value)
    this.uint(big < 0n ? (-big << 1n) - 1n : big << 1n)
  }

  /** A float64 as Go sends it: the IEEE bits byte-reversed, as a gob unsigned integer. */
  float(value: number): void {
    const bits = new Uint8Array(8)
    new DataView(bits.buffer).setFloat64(0, value, true)
    // The little-endian bytes are the reversed integer's big-endian bytes: drop its leading zeros.
    let start = 0
    while (start < 8 && bits[start] === 0) start++
    if (start === 8) this.byte(0)
    else if (start === 7 && bits[7]! < 0x80) this.byte(bits[7]!)
    else {
      this.byte(0x100 - (8 - start))
      this.bytes(bits.subarray(start))
    }
  }

  /** A length-prefixed byte string. */
  lengthPrefixed(src: Uint8Array): void {
    this.uint(src.length)
    this.bytes(src)
  }

  /** Appends `inner` as a length-prefixed message and empties it (Go's `writeMessage`). */
  message(inner: GobBuffer): void {
    this.uint(inner.size)
    this.bytes(inner.data.subarray(0, inner.size))
    inner.size = 0
  }

  private byte(b: number): void {
    this.reserve(1)
    this.data[this.size++] = b
  }

  private reserve(n: number): void {
    if (this.size + n <= this.data.length) return
    const grown = new Uint8Array(Math.max(this.data.length * 2, this.size + n))
    grown.set(this.data.subarray(0, this.size))
    this.data = grown
  }
}
