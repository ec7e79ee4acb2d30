/**
 * @module Gob bytes to JavaScript values: a top-level Go `string` or a `map[interface{}]interface{}`
 * of the types listed in {@link GobValue}.
 */

import { GobReader, gobError } from './reader.ts'
import { rememberType } from './remembered.ts'
import type { GobKey, GobMap, GobObject, GobValue, GoNumberType } from './types.ts'
import { fitsFloat32, intRange } from './types.ts'
import {
  CONCRETE_BY_NAME,
  type Concrete,
  FIRST_USER_ID,
  MAX_DEPTH,
  T_BOOL,
  T_BYTES,
  T_FLOAT,
  T_INT,
  T_INTERFACE,
  T_STRING,
  T_UINT,
} from './wire.ts'

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
// The Go number type of the value readInterface last returned (undefined for other types), for its
// caller to remember beside the container (remembered.ts).
let lastNumberType: GoNumberType | undefined
const label = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * Decodes one gob stream as written by Go's `gob.Encoder`. Throws a `DecodeError`
 * (`ERR_COOKIE_DESERIALIZE`) for anything else; bytes after the value are ignored, as Go ignores them.
 */
export function decodeGob(input: Uint8Array): string | GobObject | GobMap {
  const r = new GobReader(input)
  const id = r.typeId(false)
  if (id === T_STRING) {
    r.singleton()
    return r.string()
  }
  const wire = r.types.get(id)
  if (wire === undefined) throw unknownOrUnsupported(id)
  if (wire.kind !== 'map' || wire.key !== T_INTERFACE || wire.elem !== T_INTERFACE) {
    throw gobError(`unsupported top-level type: ${wire.kind} (want a string or a map)`)
  }
  r.singleton()
  return readMap(r, 1)
}

function readMap(r: GobReader, depth: number): GobObject | GobMap {
  if (depth > MAX_DEPTH) throw gobError('values nested too deeply')
  // Each entry holds two interface values of at least one byte each.
  const n = r.count(2)
  const keys: GobKey[] = []
  const values: GobValue[] = []
  const types: Array<GoNumberType | undefined> = []
  let allStrings = true
  for (let i = 0; i < n; i++) {
    const key = readInterface(r, depth)
    // Go itself panics on these (slices and maps are not comparable); we refuse them cleanly.
    if (key !== null && typeof key === 'object') throw gobError('unhashable map key type')
    keys.push(key)
    values.push(readInterface(r, depth))
    types.push(lastNumberType)
    if (typeof key !== 'string') allStrings = false
  }
  if (allStrings) {
    const out: GobObject = Object.create(null)
    for (let i = 0; i < n; i++) {
      const key = keys[i] as string
      // Go never sends a key twice; a crafted stream that does is refused, not silently merged.
      if (Object.hasOwn(out, key)) throw gobError('duplicate map key')
      out[key] = values[i]!
      rememberType(out, key, types[i], values[i])
    }
    return out
  }
  const out: GobMap = new Map()
  for (let i = 0; i < n; i++) {
    // Distinct Go keys may meet as one JavaScript key (int 1 and int64 1): refuse, never drop one.
    if (out.has(keys[i]!)) throw gobError('duplicate map key after conversion to JavaScript')
    out.set(keys[i]!, values[i]!)
    rememberType(out, keys[i], types[i], values[i])
  }
  return out
}

function readSlice(r: GobReader, depth: number): GobValue[] {
  if (depth > MAX_DEPTH) throw gobError('values nested too deeply')
  const n = r.count(1)
  const out: GobValue[] = []
  for (let i = 0; i < n; i++) {
    out.push(readInterface(r, depth))
    rememberType(out, i, lastNumberType, out[i])
  }
  return out
}

/** An interface value: Go name, type id (maybe after definitions), byte count, then the value. */
function readInterface(r: GobReader, depth: number): GobValue {
  lastNumberType = undefined
  const nameLength = r.length()
  if (nameLength === 0) return null
  const nameBytes = r.bytes(nameLength)
  const name = label.decode(nameBytes)
  const concrete = CONCRETE_BY_NAME.get(name)
  if (concrete === undefined) {
    const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name)
    throw gobError(`unsupported type in interface value: ${shown}`)
  }
  const id = r.typeId(true)
  // The value's byte count: Go ignores it (it only helps skipping), and so do we.
  r.uint()
  if (!compatible(r, concrete, id)) {
    if (id >= FIRST_USER_ID && !r.types.has(id)) throw unknownOrUnsupported(id)
    throw gobError(`type mismatch for ${name} (type id ${id})`)
  }
  r.singleton()
  const value = readConcrete(r, concrete, depth)
  lastNumberType = 'type' in concrete ? concrete.type : undefined
  return value
}

function unknownOrUnsupported(id: number): Error {
  return id >= FIRST_USER_ID
    ? gobError(`unknown type id ${id}`)
    : gobError(`unsupported top-level type (type id ${id})`)
}

const WIRE_ID: Readonly<Record<Concrete['kind'], number>> = {
  int: T_INT,
  uint: T_UINT,
  float: T_FLOAT,
  bool: T_BOOL,
  string: T_STRING,
  bytes: T_BYTES,
  slice: -1,
  map: -1,
}

function compatible(r: GobReader, concrete: Concrete, id: number): boolean {
  if (concrete.kind === 'slice') {
    const wire = r.types.get(id)
    return wire?.kind === 'slice' && wire.elem === T_INTERFACE
  }
  if (concrete.kind === 'map') {
    const wire = r.types.get(id)
    return wire?.kind === 'map' && wire.key === T_INTERFACE && wire.elem === T_INTERFACE
  }
  return WIRE_ID[concrete.kind] === id
}

function readConcrete(r: GobReader, concrete: Concrete, depth: number): GobValue {
  switch (concrete.kind) {
    case 'string':
      return r.string()
    case 'bool':
      return r.uint() !== 0
    case 'bytes':
      return r.bytes(r.length())
    case 'slice':
      return readSlice(r, depth + 1)
    case 'map':
      return readMap(r, depth + 1)
    case 'float': {
      const x = r.float()
      if (concrete.type === 'float64') return x
      if (!fitsFloat32(x)) throw gobError('value out of range for float32')
      return Math.fround(x)
    }
    case 'int':
    case 'uint': {
      const x = concrete.kind === 'int' ? r.int() : r.uint()
      const { min, max } = intRange(concrete.type)
      const big = BigInt(x)
      if (big < min || big > max) throw gobError(`value out of range for ${concrete.type}`)
      return typeof x === 'number' || big > MAX_SAFE || big < -MAX_SAFE ? x : Number(x)
    }
  }
}
