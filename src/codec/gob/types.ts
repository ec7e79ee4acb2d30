/**
 * @module The JavaScript side of the gob mapping: which values the gob serializer reads and writes,
 * and the `GoNumber` wrapper that pins a number to one Go numeric type.
 */

import { UsageError } from '../../errors.ts'

/** A Go signed integer type that gob registers by default. */
export type GoIntType = 'int' | 'int8' | 'int16' | 'int32' | 'int64'

/** A Go unsigned integer type that gob registers by default. */
export type GoUintType = 'uint' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'uintptr'

/** A Go floating-point type. Both travel as float64 on the wire; the name tells them apart. */
export type GoFloatType = 'float32' | 'float64'

/** Every Go numeric type a {@link GoNumber} can carry. */
export type GoNumberType = GoIntType | GoUintType | GoFloatType

/**
 * A value the gob serializer can write inside `map[interface{}]interface{}` or `[]interface{}`.
 *
 * - `string` ↔ Go `string` (valid UTF-8 only, both ways); `boolean` ↔ `bool`; `null` ↔ a nil
 *   `interface{}`; `Uint8Array` ↔ `[]uint8` (`[]byte`).
 * - `number`: a safe integer is written as Go `int`, any other number (fraction, NaN, ±Infinity) as
 *   `float64`. `bigint`: `int64`, or `uint64` above the int64 maximum.
 * - {@link GoNumber}: exactly its `type` (use `goInt64(5)`, `goFloat64(3)`, ...).
 * - `Array` ↔ `[]interface {}` (Go's flashes); a plain object or a `Map` ↔
 *   `map[interface {}]interface {}` (a nested one needs `gob.Register(map[interface{}]interface{}{})`
 *   in the Go program).
 */
export type GobValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | GoNumber
  | GobValue[]
  | GobObject
  | GobMap

/** A key of a `map[interface{}]interface{}`: only Go's comparable types are allowed. */
export type GobKey = string | number | bigint | boolean | null | GoNumber

/**
 * A `map[interface{}]interface{}` whose keys are all strings. Decoded maps of this kind have a null
 * prototype, so a `__proto__` key is plain data.
 */
export type GobObject = { [key: string]: GobValue }

/** A `map[interface{}]interface{}` with at least one key that is not a string. */
export type GobMap = Map<GobKey, GobValue>

interface IntRange {
  readonly min: bigint
  readonly max: bigint
}

// Go's int and uint are 64 bits on every platform pgstore runs on.
const INT_RANGES: Readonly<Record<GoIntType | GoUintType, IntRange>> = {
  int: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  int8: { min: -128n, max: 127n },
  int16: { min: -32768n, max: 32767n },
  int32: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  int64: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  uint: { min: 0n, max: 2n ** 64n - 1n },
  uint8: { min: 0n, max: 255n },
  uint16: { min: 0n, max: 65535n },
  uint32: { min: 0n, max: 2n ** 32n - 1n },
  uint64: { min: 0n, max: 2n ** 64n - 1n },
  uintptr: { min: 0n, max: 2n ** 64n - 1n },
}

const MAX_FLOAT32 = 3.4028234663852886e38

/** True for the Go signed integer types. */
export function isGoIntType(type: string): type is GoIntType {
  return (
    type === 'int' || type === 'int8' || type === 'int16' || type === 'int32' || type === 'int64'
  )
}

/** True for the Go unsigned integer types. */
export function isGoUintType(type: string): type is GoUintType {
  return type in INT_RANGES && !isGoIntType(type)
}

/** The inclusive range of a Go integer type. */
export function intRange(type: GoIntType | GoUintType): IntRange {
  return INT_RANGES[type]
}

/** True when `x` is finite and does not overflow a Go float32 (Go's own rule when it decodes). */
export function fitsFloat32(x: number): boolean {
  return !(Math.abs(x) > MAX_FLOAT32 && Number.isFinite(x))
}

/**
 * A number with an explicit Go type, for values the default mapping would type differently: a Go
 * `int64` counter (a plain number is written as `int`), a `float64` that happens to be integral
 * (`3` would be written as `int`), a `uint8`...
 *
 * The constructor checks the range (`UsageError` `ERR_SERIALIZE` when out of range or not an
 * integer). Integer types keep `value` as given (`number` or `bigint`); `float32` stores the value
 * rounded to float32, as Go would hold it. The deserializer never produces a `GoNumber`: it returns
 * plain numbers (and bigints beyond 2^53).
 */
export class GoNumber {
  /** The Go type this number is written as. */
  readonly type: GoNumberType
  /** The value, already checked against `type`'s range. */
  readonly value: number | bigint

  constructor(type: GoNumberType, value: number | bigint) {
    this.type = type
    this.value = checkValue(type, value)
  }
}

function checkValue(type: GoNumberType, value: number | bigint): number | bigint {
  if (type === 'float32' || type === 'float64') {
    if (typeof value !== 'number') {
      throw new UsageError('ERR_SERIALIZE', `gob: a ${type} must be a number, not a bigint`)
    }
    if (type === 'float64') return value
    if (!fitsFloat32(value)) {
      throw new UsageError('ERR_SERIALIZE', 'gob: value out of range for a float32')
    }
    return Math.fround(value)
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new UsageError('ERR_SERIALIZE', `gob: a ${type} must be an integer`)
  }
  const { min, max } = INT_RANGES[type]
  const big = BigInt(value)
  if (big < min || big > max) {
    throw new UsageError('ERR_SERIALIZE', `gob: value out of range for a ${type}`)
  }
  return value
}

/** A Go `int` (64-bit). */
export const goInt = (value: number | bigint): GoNumber => new GoNumber('int', value)
/** A Go `int8`. */
export const goInt8 = (value: number | bigint): GoNumber => new GoNumber('int8', value)
/** A Go `int16`. */
export const goInt16 = (value: number | bigint): GoNumber => new GoNumber('int16', value)
/** A Go `int32`. */
export const goInt32 = (value: number | bigint): GoNumber => new GoNumber('int32', value)
/** A Go `int64`. */
export const goInt64 = (value: number | bigint): GoNumber => new GoNumber('int64', value)
/** A Go `uint` (64-bit). */
export const goUint = (value: number | bigint): GoNumber => new GoNumber('uint', value)
/** A Go `uint8` (a single byte, not a `[]byte`). */
export const goUint8 = (value: number | bigint): GoNumber => new GoNumber('uint8', value)
/** A Go `uint16`. */
export const goUint16 = (value: number | bigint): GoNumber => new GoNumber('uint16', value)
/** A Go `uint32`. */
export const goUint32 = (value: number | bigint): GoNumber => new GoNumber('uint32', value)
/** A Go `uint64`. */
export const goUint64 = (value: number | bigint): GoNumber => new GoNumber('uint64', value)
/** A Go `uintptr` (64-bit). */
export const goUintptr = (value: number | bigint): GoNumber => new GoNumber('uintptr', value)
/** A Go `float32`: the value is rounded to float32 precision. */
export const goFloat32 = (value: number): GoNumber => new GoNumber('float32', value)
/** A Go `float64`: keeps an integral value such as `3` a float in Go. */
export const goFloat64 = (value: number): GoNumber => new GoNumber('float64', value)
