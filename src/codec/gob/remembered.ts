/**
 * @module The Go number types a decoded container held, remembered so a save that leaves a number
 * alone writes it back as the type Go wrote. JavaScript has one number type; without this an
 * `int64(5)` or a `float64(2)` loaded from Go would go back as Go `int` after any save.
 *
 * Only what the default mapping would get wrong is kept: an entry per map key or slice index whose
 * Go type differs from what its JavaScript value is written as by default (a safe integer is `int`,
 * another number `float64`, a bigint `int64` or `uint64`). The containers are the objects, Maps and
 * arrays the decoder returned; the memory goes with them (a WeakMap).
 */
import { fitsFloat32, type GoNumberType, intRange, isGoIntType, isGoUintType } from './types.ts'

const remembered = new WeakMap<object, Map<unknown, GoNumberType>>()
const INT64_MAX = 2n ** 63n - 1n

/** The Go type the default mapping gives `value` (a number or a bigint). */
function defaultType(value: number | bigint): GoNumberType {
  if (typeof value === 'bigint') return value > INT64_MAX ? 'uint64' : 'int64'
  return Number.isSafeInteger(value) ? 'int' : 'float64'
}

/** Notes that `container[key]`, decoded as `value`, was Go type `type`, if the default differs. */
export function rememberType(
  container: object,
  key: unknown,
  type: GoNumberType | undefined,
  value: unknown,
): void {
  if (type === undefined || (typeof value !== 'number' && typeof value !== 'bigint')) return
  if (defaultType(value) === type) return
  let types = remembered.get(container)
  if (types === undefined) {
    types = new Map()
    remembered.set(container, types)
  }
  types.set(key, type)
}

/**
 * The Go type `container[key]` was loaded with, when `value` can still be written as it: a number
 * for a float type (in range for float32); an integer number or a bigint in range for an integer
 * type. Otherwise `undefined`, and the default mapping applies.
 */
export function rememberedType(
  container: object,
  key: unknown,
  value: unknown,
): GoNumberType | undefined {
  const type = remembered.get(container)?.get(key)
  if (type === undefined) return undefined
  if (type === 'float64') return typeof value === 'number' ? type : undefined
  if (type === 'float32') return typeof value === 'number' && fitsFloat32(value) ? type : undefined
  if (!isGoIntType(type) && !isGoUintType(type)) return undefined
  if (typeof value === 'number' && !Number.isInteger(value)) return undefined
  if (typeof value !== 'number' && typeof value !== 'bigint') return undefined
  const { min, max } = intRange(type)
  const big = BigInt(value)
  return big >= min && big <= max ? type : undefined
}
