/**
 * Typed value trees shared with the Go program (go/interop/values.go): `{ type, value }` with the Go
 * type name, integers as decimal strings, `[]byte` as hex, maps as sorted `{ key, value }` entries.
 *
 * `typedOf` says which Go types our gob serializer writes for a JavaScript value; `fromTyped` says
 * what our gob deserializer returns for a Go value. Comparing them with Go's own answers checks the
 * types across the language boundary, not just the printed values.
 */

import { GoNumber } from '../../src/index.ts'

/** A Go value as a typed tree. */
export interface Typed {
  type: string
  value: unknown
}

interface TypedEntry {
  key: Typed
  value: Typed
}

const MAP = 'map[interface {}]interface {}'
const INT64_MAX = 2n ** 63n - 1n

function floatValue(x: number): number | string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Number.POSITIVE_INFINITY) return '+Inf'
  if (x === Number.NEGATIVE_INFINITY) return '-Inf'
  return x
}

/** Map entries in one fixed order, so Go's and ours compare with `deepEqual`. */
function sorted(entries: TypedEntry[]): TypedEntry[] {
  const keyOf = (e: TypedEntry) => JSON.stringify(e.key)
  return entries.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
}

/** The Go value our gob serializer writes for `value` (see `GobValue`). */
export function typedOf(value: unknown): Typed {
  if (value === null) return { type: 'nil', value: null }
  if (value instanceof GoNumber) {
    const float = value.type === 'float32' || value.type === 'float64'
    return {
      type: value.type,
      value: float ? floatValue(Number(value.value)) : String(value.value),
    }
  }
  if (value instanceof Uint8Array) {
    return { type: '[]byte', value: Buffer.from(value).toString('hex') }
  }
  if (Array.isArray(value)) return { type: '[]interface {}', value: value.map(typedOf) }
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => ({ key: typedOf(k), value: typedOf(v) }))
    return { type: MAP, value: sorted(entries) }
  }
  switch (typeof value) {
    case 'string':
      return { type: 'string', value }
    case 'boolean':
      return { type: 'bool', value }
    case 'number':
      return Number.isSafeInteger(value)
        ? { type: 'int', value: String(value) }
        : { type: 'float64', value: floatValue(value) }
    case 'bigint':
      return { type: value > INT64_MAX ? 'uint64' : 'int64', value: String(value) }
    case 'object': {
      const entries = Object.entries(value as object).map(([k, v]) => ({
        key: typedOf(k),
        value: typedOf(v),
      }))
      return { type: MAP, value: sorted(entries) }
    }
  }
  throw new Error(`typedOf: no Go type for ${typeof value}`)
}

/** A Go answer with its map entries re-sorted the way `typedOf` sorts them. */
export function normalized(tree: Typed): Typed {
  if (tree.type === '[]interface {}') {
    return { type: tree.type, value: (tree.value as Typed[]).map(normalized) }
  }
  if (tree.type === MAP) {
    const entries = (tree.value as TypedEntry[]).map((e) => ({
      key: normalized(e.key),
      value: normalized(e.value),
    }))
    return { type: MAP, value: sorted(entries) }
  }
  return tree
}

function parseFloatText(value: unknown): number {
  if (value === 'NaN') return Number.NaN
  if (value === '+Inf') return Number.POSITIVE_INFINITY
  if (value === '-Inf') return Number.NEGATIVE_INFINITY
  return value as number
}

/** What our gob deserializer returns for the Go value `tree`. */
export function fromTyped(tree: Typed): unknown {
  switch (tree.type) {
    case 'nil':
      return null
    case 'string':
    case 'bool':
      return tree.value
    case 'float32':
    case 'float64':
      return parseFloatText(tree.value)
    case '[]byte':
      return new Uint8Array(Buffer.from(tree.value as string, 'hex'))
    case '[]interface {}':
      return (tree.value as Typed[]).map(fromTyped)
    case MAP: {
      const entries = (tree.value as TypedEntry[]).map((e) => [
        fromTyped(e.key),
        fromTyped(e.value),
      ])
      if (entries.every(([k]) => typeof k === 'string')) {
        const out: Record<string, unknown> = Object.create(null)
        for (const [k, v] of entries) out[k as string] = v
        return out
      }
      return new Map(entries as Array<[unknown, unknown]>)
    }
  }
  if (!/^u?int(8|16|32|64|ptr)?$/.test(tree.type)) throw new Error(`fromTyped: ${tree.type}`)
  const big = BigInt(tree.value as string)
  const small = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
  return small ? Number(big) : big
}

/** `value` with every `Buffer` (what decoding returns for `[]byte`) as a plain `Uint8Array`. */
export function plainBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (Array.isArray(value)) return value.map(plainBytes)
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, plainBytes(v)]))
  if (value !== null && typeof value === 'object' && !(value instanceof GoNumber)) {
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value))
    for (const [k, v] of Object.entries(value)) out[k] = plainBytes(v)
    return out
  }
  return value
}
