/**
 * @module Copies of session values, for handing one decoded row to many requests.
 *
 * `structuredClone` is exact but costs more than parsing a small JSON value again. Values that
 * came out of JSON are only primitives, plain objects and arrays; those are copied by a plain
 * walk. Anything else (a Map, a Date, a typed array, a class instance from a custom serializer) is
 * reported as not plain, and the caller parses the bytes again instead.
 */

/** Marks "not plain": the walk found something it does not copy. */
const notPlain: unique symbol = Symbol('not plain')

function copy(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? notPlain : value
  }
  if (depth > 64) return notPlain
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return notPlain
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return notPlain
      const item = copy(value[i], depth + 1)
      if (item === notPlain) return notPlain
      out[i] = item
    }
    return out
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return notPlain
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {}
  for (const key of Object.keys(value)) {
    const item = copy((value as Record<string, unknown>)[key], depth + 1)
    if (item === notPlain) return notPlain
    // JSON.parse keeps a "__proto__" key as an own property; plain assignment would set the
    // prototype instead.
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else {
      out[key] = item
    }
  }
  return out
}

/**
 * A deep copy of `value` when it holds only primitives, plain objects (either prototype) and
 * arrays without holes, at most 64 levels deep; `undefined` otherwise.
 */
export function copyPlain<T>(value: T): T | undefined {
  const out = copy(value, 0)
  return out === notPlain ? undefined : (out as T)
}
