/**
 * @module JavaScript values to gob bytes, laid out as Go's `gob.Encoder` lays them out (type
 * definitions flushed in the middle of a value included), so Go reads them and single-entry maps
 * and strings come out byte-identical to Go's.
 */

import { UsageError } from '../../errors.ts'
import { GobBuffer } from './buffer.ts'
import { rememberedType } from './remembered.ts'
import { GoNumber, type GoNumberType, isGoIntType } from './types.ts'
import {
  BYTES_NAME,
  MAP_ID,
  MAP_NAME,
  MAX_DEPTH,
  SLICE_ID,
  SLICE_NAME,
  T_BOOL,
  T_BYTES,
  T_FLOAT,
  T_INT,
  T_INTERFACE,
  T_STRING,
  T_UINT,
} from './wire.ts'

const utf8 = new TextEncoder()
const LONE_SURROGATE = /[\uD800-\uDFFF]/u
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n
// Go map keys must be comparable: slices and maps are not.
const HASHABLE = new Set([T_BOOL, T_INT, T_UINT, T_FLOAT, T_STRING])

function usage(message: string): UsageError {
  return new UsageError('ERR_SERIALIZE', `gob: ${message}`)
}

/** Encodes a top-level string or map as one self-contained gob stream (Go's `GobEncoder`). */
export function encodeGob(value: unknown): Uint8Array {
  const out = new GobBuffer()
  const msg = new GobBuffer()
  if (typeof value === 'string') {
    msg.int(T_STRING)
    msg.uint(0)
    msg.lengthPrefixed(utf8Bytes(value))
  } else if (isPlainObject(value) || value instanceof Map) {
    const enc = new Encoder(out)
    enc.defineType('map', out, msg)
    msg.int(MAP_ID)
    msg.uint(0)
    enc.map(msg, value, 1)
  } else {
    throw usage(`cannot serialize ${describe(value)}: want a string, a plain object or a Map`)
  }
  out.message(msg)
  return out.toBytes()
}

/** What an interface value is written as: its registered Go name, wire type id and body. */
interface Concrete {
  readonly name: string
  readonly id: number
  readonly write: (b: GobBuffer) => void
}

class Encoder {
  // Go's writer stack: a type definition is flushed into the innermost enclosing buffer.
  private readonly writers: GobBuffer[]
  private readonly sent = new Set<'map' | 'slice'>()
  private readonly ancestors = new Set<object>()

  constructor(out: GobBuffer) {
    this.writers = [out]
  }

  /** Sends a composite type's definition once, flushing `b` (with the definition) into `w`. */
  defineType(kind: 'map' | 'slice', w: GobBuffer, b: GobBuffer): void {
    if (this.sent.has(kind)) return
    this.sent.add(kind)
    const id = kind === 'map' ? MAP_ID : SLICE_ID
    b.int(-id)
    // wireType{MapT: {CommonType{Id}, Key, Elem}} or wireType{SliceT: {CommonType{Id}, Elem}}
    b.uint(kind === 'map' ? 4 : 2)
    b.uint(1)
    b.uint(2)
    b.int(id)
    b.uint(0)
    if (kind === 'map') {
      b.uint(1)
      b.int(T_INTERFACE)
    }
    b.uint(1)
    b.int(T_INTERFACE)
    b.uint(0)
    b.uint(0)
    w.message(b)
  }

  map(b: GobBuffer, value: object, depth: number): void {
    const entries: [unknown, unknown][] =
      value instanceof Map ? [...value] : Object.keys(value).map((k) => [k, Reflect.get(value, k)])
    this.enter(value, depth)
    b.uint(entries.length)
    const seen = new Set<string>()
    for (const [key, item] of entries) {
      const concrete = key === null ? null : this.concrete(key, depth)
      if (concrete !== null && !HASHABLE.has(concrete.id)) {
        throw usage(`a map key cannot be ${describe(key)}`)
      }
      const identity = concrete === null ? 'nil' : `${concrete.name}:${String(unwrap(key))}`
      if (seen.has(identity)) throw usage('two map keys are the same Go value')
      seen.add(identity)
      this.interface(b, concrete)
      this.interface(b, item === null ? null : this.element(value, key, item, depth))
    }
    this.ancestors.delete(value)
  }

  private slice(b: GobBuffer, value: unknown[], depth: number): void {
    this.enter(value, depth)
    b.uint(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      this.interface(b, item === null ? null : this.element(value, i, item, depth))
    }
    this.ancestors.delete(value)
  }

  private enter(value: object, depth: number): void {
    if (depth > MAX_DEPTH) throw usage(`values nested deeper than ${MAX_DEPTH} levels`)
    if (this.ancestors.has(value)) throw usage('cannot serialize a cyclic structure')
    this.ancestors.add(value)
  }

  /** Go's `encodeInterface`: name, definitions if new, type id, then the value as a message. */
  private interface(b: GobBuffer, concrete: Concrete | null): void {
    if (concrete === null) {
      b.uint(0)
      return
    }
    const name = utf8.encode(concrete.name)
    b.lengthPrefixed(name)
    if (concrete.id === MAP_ID) this.defineType('map', this.writers.at(-1)!, b)
    if (concrete.id === SLICE_ID) this.defineType('slice', this.writers.at(-1)!, b)
    b.int(concrete.id)
    this.writers.push(b)
    const data = new GobBuffer()
    data.uint(0)
    concrete.write(data)
    this.writers.pop()
    b.message(data)
  }

  /** An element keeps the Go type it was decoded with while its value still fits (remembered.ts). */
  private element(container: object, key: unknown, item: unknown, depth: number): Concrete {
    const type = rememberedType(container, key, item)
    return type === undefined ? this.concrete(item, depth) : number(type, item as number | bigint)
  }

  private concrete(value: unknown, depth: number): Concrete {
    switch (typeof value) {
      case 'string': {
        const bytes = utf8Bytes(value)
        return { name: 'string', id: T_STRING, write: (b) => b.lengthPrefixed(bytes) }
      }
      case 'boolean':
        return { name: 'bool', id: T_BOOL, write: (b) => b.uint(value ? 1 : 0) }
      case 'number':
        return Number.isSafeInteger(value) ? number('int', value) : number('float64', value)
      case 'bigint':
        if (value < -INT64_MAX - 1n || value > UINT64_MAX) throw usage('bigint out of 64-bit range')
        return value <= INT64_MAX ? number('int64', value) : number('uint64', value)
    }
    if (value instanceof GoNumber) return number(value.type, value.value)
    if (value instanceof Uint8Array) {
      const bytes = value.slice()
      return { name: BYTES_NAME, id: T_BYTES, write: (b) => b.lengthPrefixed(bytes) }
    }
    if (Array.isArray(value)) {
      return { name: SLICE_NAME, id: SLICE_ID, write: (b) => this.slice(b, value, depth + 1) }
    }
    if (isPlainObject(value) || value instanceof Map) {
      return { name: MAP_NAME, id: MAP_ID, write: (b) => this.map(b, value, depth + 1) }
    }
    throw usage(`cannot serialize ${describe(value)}`)
  }
}

function number(type: GoNumberType, value: number | bigint): Concrete {
  if (type === 'float32' || type === 'float64') {
    return { name: type, id: T_FLOAT, write: (b) => b.float(Number(value)) }
  }
  // GoNumber checked the range already; plain values reach here only when they fit.
  if (isGoIntType(type)) return { name: type, id: T_INT, write: (b) => b.int(value) }
  return { name: type, id: T_UINT, write: (b) => b.uint(value) }
}

function unwrap(key: unknown): unknown {
  return key instanceof GoNumber ? key.value : key
}

function utf8Bytes(s: string): Uint8Array {
  // TextEncoder would write U+FFFD for a lone surrogate; Go would then read a different string.
  if (LONE_SURROGATE.test(s)) throw usage('string contains a lone UTF-16 surrogate')
  return utf8.encode(s)
}

function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === null || proto === Object.prototype
}

/** A short description of a value's kind for error messages: never the value itself. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : 'a number'
  if (typeof value !== 'object') return `a value of type ${typeof value}`
  const name = Object.getPrototypeOf(value)?.constructor?.name
  return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object'
}
