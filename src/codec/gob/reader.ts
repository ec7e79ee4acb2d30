/**
 * @module The gob byte stream as Go's `gob.Decoder` walks it: length-prefixed messages, gob
 * integers, and the type definitions that may arrive between (or inside) values.
 */

import { DecodeError } from '../../errors.ts'
import { FIRST_USER_ID, type WireType } from './wire.ts'

/** A `DecodeError` for bytes the gob reader cannot accept. */
export function gobError(message: string): DecodeError {
  return new DecodeError('ERR_COOKIE_DESERIALIZE', `gob: ${message}`)
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const MAX_TYPE_ID = 2 ** 31 - 1
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Reads one gob stream. Every read is bounded by the current message, as in Go, except
 * {@link GobReader.typeId}, which moves on to the next message: that is how a value continues after
 * Go flushed a type definition in the middle of it.
 */
export class GobReader {
  /** Type definitions received so far, by id. */
  readonly types: Map<number, WireType> = new Map()
  private readonly input: Uint8Array
  private pos = 0
  private end = 0

  constructor(input: Uint8Array) {
    this.input = input
  }

  /** Bytes left in the whole input: an upper bound for any element count. */
  get remaining(): number {
    return this.input.length - this.pos
  }

  /**
   * Reads type definitions until a value's type id appears, and returns that id (Go's
   * `decodeTypeSequence`). Inside an interface value, a definition may be followed by the byte count
   * of the value it interrupted; that count is skipped, as Go does.
   */
  typeId(inInterface: boolean): number {
    for (let first = true; ; first = false) {
      if (this.pos === this.end) this.nextMessage(first && !inInterface)
      const id = this.int()
      if (typeof id === 'bigint' || id < -MAX_TYPE_ID || id > MAX_TYPE_ID) {
        throw gobError('type id out of range')
      }
      if (id >= 0) return id
      this.defineType(-id)
      if (this.pos < this.end) {
        if (!inInterface) throw gobError('extra data after a type definition')
        this.uint()
      }
    }
  }

  /** A gob unsigned integer: a number when it is a safe integer, else a bigint. */
  uint(): number | bigint {
    const first = this.byte()
    if (first < 0x80) return first
    const size = 0x100 - first
    if (size > 8) throw gobError('invalid unsigned integer')
    this.need(size)
    let value = 0
    if (size <= 6) {
      for (let i = 0; i < size; i++) value = value * 256 + this.input[this.pos++]!
      return value
    }
    let big = 0n
    for (let i = 0; i < size; i++) big = (big << 8n) | BigInt(this.input[this.pos++]!)
    // Go accepts a small value padded to 7 or 8 bytes; so do we, as a plain number.
    return big <= MAX_SAFE ? Number(big) : big
  }

  /** A gob signed integer (the low bit says whether the rest is complemented). */
  int(): number | bigint {
    const u = this.uint()
    if (typeof u === 'number') return u % 2 === 0 ? u / 2 : -(u - 1) / 2 - 1
    return u & 1n ? -(u >> 1n) - 1n : u >> 1n
  }

  /** A float64: its IEEE bits, byte-reversed, sent as a gob unsigned integer. */
  float(): number {
    const first = this.byte()
    const size = first < 0x80 ? 1 : 0x100 - first
    if (size > 8) throw gobError('invalid unsigned integer')
    const bits = new Uint8Array(8)
    if (first < 0x80) bits[7] = first
    else {
      this.need(size)
      bits.set(this.input.subarray(this.pos, this.pos + size), 8 - size)
      this.pos += size
    }
    // Big-endian integer bytes read little-endian undo Go's byte reversal.
    return new DataView(bits.buffer).getFloat64(0, true)
  }

  /** A length or count, checked against the bytes left in the message before anyone allocates. */
  length(): number {
    const n = this.uint()
    if (typeof n === 'bigint' || n > this.end - this.pos)
      throw gobError('length exceeds input size')
    return n
  }

  /** An element count, where each element takes at least `minBytes` bytes of the rest of the input. */
  count(minBytes: number): number {
    const n = this.uint()
    if (typeof n === 'bigint' || n * minBytes > this.remaining) {
      throw gobError('element count exceeds input size')
    }
    return n
  }

  /** `n` raw bytes, copied so the result never aliases the caller's buffer. */
  bytes(n: number): Uint8Array {
    this.need(n)
    const out = this.input.slice(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /** A length-prefixed UTF-8 string; invalid UTF-8 is refused rather than silently replaced. */
  string(): string {
    const n = this.length()
    const view = this.input.subarray(this.pos, this.pos + n)
    this.pos += n
    try {
      return utf8.decode(view)
    } catch {
      throw gobError('string is not valid UTF-8')
    }
  }

  /** The zero field delta that precedes a value sent outside a struct. */
  singleton(): void {
    if (this.uint() !== 0) throw gobError('corrupted data: non-zero delta for singleton')
  }

  private byte(): number {
    this.need(1)
    return this.input[this.pos++]!
  }

  private need(n: number): void {
    if (n > this.end - this.pos) throw gobError('unexpected end of message')
  }

  private nextMessage(atStart: boolean): void {
    this.end = this.input.length
    if (this.pos === this.end) throw gobError(atStart ? 'empty input' : 'unexpected end of input')
    const n = this.uint()
    if (typeof n === 'bigint' || n > this.input.length - this.pos) {
      throw gobError('message length exceeds input size')
    }
    this.end = this.pos + n
  }

  private defineType(id: number): void {
    if (id < FIRST_USER_ID || this.types.has(id)) throw gobError('duplicate type received')
    let wire: WireType | undefined
    this.fields(7, (field) => {
      if (wire !== undefined) throw gobError('malformed type definition')
      wire = this.wireType(field)
    })
    if (wire === undefined) throw gobError('malformed type definition')
    this.types.set(id, wire)
  }

  // wireType's fields, in order: ArrayT, SliceT, StructT, MapT, GobEncoderT, BinaryMarshalerT,
  // TextMarshalerT. Each is a struct that starts with CommonType{Name, Id}.
  private wireType(field: number): WireType {
    const ids = [0, 0, 0]
    if (field === 2) {
      this.fields(2, (f) => (f === 0 ? this.commonType() : this.structFields()))
      return { kind: 'struct' }
    }
    const count = field === 0 || field === 3 ? 3 : field === 1 ? 2 : 1
    this.fields(count, (f) => {
      if (f === 0) this.commonType()
      else ids[f] = this.smallInt()
    })
    if (field === 0) return { kind: 'array', elem: ids[1]! }
    if (field === 1) return { kind: 'slice', elem: ids[1]! }
    if (field === 3) return { kind: 'map', key: ids[1]!, elem: ids[2]! }
    return { kind: 'gobEncoder' }
  }

  private commonType(): void {
    this.fields(2, (f) => (f === 0 ? this.skipString() : this.smallInt()))
  }

  private structFields(): void {
    const n = this.count(1)
    for (let i = 0; i < n; i++) {
      this.fields(2, (f) => (f === 0 ? this.skipString() : this.smallInt()))
    }
  }

  private skipString(): void {
    const n = this.length()
    this.pos += n
  }

  private smallInt(): number {
    const n = this.int()
    if (typeof n === 'bigint' || n < -MAX_TYPE_ID || n > MAX_TYPE_ID) {
      throw gobError('malformed type definition')
    }
    return n
  }

  /** Walks a struct's delta-numbered fields until the zero terminator. */
  private fields(count: number, each: (field: number) => unknown): void {
    let field = -1
    for (;;) {
      const delta = this.uint()
      if (delta === 0) return
      if (typeof delta === 'bigint' || field + delta >= count) {
        throw gobError('malformed type definition')
      }
      field += delta
      each(field)
    }
  }
}
