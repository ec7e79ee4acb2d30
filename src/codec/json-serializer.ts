/**
 * @module JSON as Go's `securecookie.JSONEncoder` writes and reads it (Go 1.19 `encoding/json`).
 *
 * Writing matches Go byte for byte for the values both sides share, so a cookie made here carries
 * the same bytes a Go service would make: object keys sorted (Go sorts map keys), `<` `>` `&`
 * U+2028 U+2029 escaped as `\u003c` ..., control characters other than `\n` `\r` `\t` as
 * `\u00XX`, `-0` kept, and a final `\n` (Go's `Encoder.Encode` appends one).
 *
 * Reading follows Go's `json.Decoder.Decode`: one value, leading whitespace allowed, whatever
 * follows the value ignored. Objects come from `JSON.parse`, which stores a `__proto__` key as a
 * plain own property, so a hostile payload cannot reach `Object.prototype`.
 */

import { Buffer } from 'node:buffer'
import { DecodeError, PgStoreError, UsageError } from '../errors.ts'
import type { Serializer } from './serializer.ts'

const utf8 = new TextEncoder()

function unsupported(what: string): UsageError {
  return new UsageError('ERR_SERIALIZE', `json: unsupported value: ${what}`)
}

/**
 * Orders keys as Go sorts its map keys: by UTF-8 bytes, which is code point order. Plain `<`
 * compares UTF-16 code units and puts U+E000..U+FFFF after astral characters; shifting the code
 * units at the first difference restores code point order.
 */
function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000
    return x - y
  }
  return a.length - b.length
}

/** Go's `[]byte` becomes a standard (not URL) padded base64 string. */
function encodeBytes(bytes: Uint8Array): string {
  return `"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"`
}

function encodeValue(value: unknown, key: string, ancestors: Set<object>): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    // Date and friends, as JSON.stringify (Go's time.Time also marshals to an RFC 3339 string).
    value = (value as { toJSON(key: string): unknown }).toJSON(key)
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw unsupported(String(value))
      return Object.is(value, -0) ? '-0' : String(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'undefined':
      // JSON would drop the key or write null: a silent change of the value. Deleting is explicit.
      throw unsupported('undefined (delete the key instead)')
    case 'object':
      break
    default:
      throw unsupported(typeof value)
  }
  if (value === null) return 'null'
  if (value instanceof Uint8Array) return encodeBytes(value)
  if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value)) {
    throw new UsageError('ERR_SERIALIZE', `json: unsupported type: ${value.constructor.name}`)
  }
  if (ancestors.has(value)) throw unsupported('encountered a cycle')
  ancestors.add(value)
  let out: string
  if (Array.isArray(value)) {
    const items: string[] = []
    for (let i = 0; i < value.length; i++) {
      items.push(encodeValue(value[i], String(i), ancestors) ?? 'null')
    }
    out = `[${items.join(',')}]`
  } else {
    const record = value as Record<string, unknown>
    const members: string[] = []
    for (const k of Object.keys(record).sort(compareKeys)) {
      const encoded = encodeValue(record[k], k, ancestors)
      if (encoded !== undefined) members.push(`${JSON.stringify(k)}:${encoded}`)
    }
    out = `{${members.join(',')}}`
  }
  ancestors.delete(value)
  return out
}

/**
 * Go's HTML-safe escapes, and `\u0008` `\u000c` where JSON.stringify writes `\b` `\f`. Escape pairs
 * are matched whole so that an escaped backslash followed by `b` is left alone.
 */
const GO_ESCAPES = /\\[\s\S]|[<>&\u2028\u2029]/g
const NEEDS_ESCAPES = /[<>&\u2028\u2029]|\\[bf]/

function goEscape(match: string): string {
  switch (match) {
    case '\\b':
      return '\\u0008'
    case '\\f':
      return '\\u000c'
    case '<':
      return '\\u003c'
    case '>':
      return '\\u003e'
    case '&':
      return '\\u0026'
    case '\u2028':
      return '\\u2028'
    case '\u2029':
      return '\\u2029'
    default:
      return match
  }
}

/**
 * Writes `value` as Go's `json.NewEncoder(w).Encode(value)` would write the equivalent Go value.
 *
 * @throws {UsageError} `ERR_SERIALIZE` for what Go cannot encode either: NaN and infinities, cycles,
 * functions, symbols, bigints, `Map`/`Set`, typed arrays other than `Uint8Array` (which becomes a
 * base64 string, as Go's `[]byte`), and `undefined` anywhere: JSON.stringify would drop the key or
 * write `null`, silently changing the value; delete the key instead.
 */
export function encodeGoJson(value: unknown): string {
  let text: string | undefined
  try {
    text = encodeValue(value, '', new Set())
  } catch (cause) {
    if (cause instanceof PgStoreError) throw cause
    // A throwing toJSON, or a structure deep enough to exhaust the stack.
    throw new UsageError('ERR_SERIALIZE', 'json: value cannot be encoded', { cause })
  }
  if (text === undefined) throw unsupported('undefined')
  if (NEEDS_ESCAPES.test(text)) text = text.replace(GO_ESCAPES, goEscape)
  return `${text}\n`
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i)
  while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++i)
  return i
}

/** The end of the string starting at the quote at `i`, or -1 if it is not closed. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j)
    if (c === 0x5c) j++
    else if (c === 0x22) return j + 1
  }
  return -1
}

/**
 * Where the first JSON value in `text` ends, as Go's decoder finds it, or -1. Only the extent is
 * found here; `JSON.parse` then checks the grammar inside it.
 */
function firstValueEnd(text: string, start: number): number {
  const c = text[start]
  if (c === '"') return stringEnd(text, start)
  if (c === '{' || c === '[') {
    let depth = 0
    for (let j = start; j < text.length; j++) {
      const d = text.charCodeAt(j)
      if (d === 0x22) {
        j = stringEnd(text, j) - 1
        if (j < 0) return -1
      } else if (d === 0x7b || d === 0x5b) depth++
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return j + 1
    }
    return -1
  }
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, start)) return start + literal.length
  }
  NUMBER.lastIndex = start
  const m = NUMBER.exec(text)
  if (m === null) return -1
  const end = start + m[0].length
  // Go's scanner commits to a fraction or exponent on '.', 'e' or 'E' and fails if no digits follow.
  const next = text[end]
  if (next === '.' && m[1] === undefined && m[2] === undefined) return -1
  if ((next === 'e' || next === 'E') && m[2] === undefined) return -1
  return end
}

/**
 * Reads the first JSON value from UTF-8 bytes as Go's `json.NewDecoder(r).Decode(&v)` into an
 * `interface{}`: numbers become JS numbers (Go: float64), bytes after the value are ignored, and
 * invalid UTF-8 becomes U+FFFD.
 *
 * @throws {DecodeError} `ERR_COOKIE_DESERIALIZE` when no complete JSON value starts the bytes. The
 * message never quotes the input.
 */
export function decodeGoJson(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  try {
    // Fast path: the whole text is one value, which is what every encoder writes.
    return JSON.parse(text)
  } catch {}
  const start = skipSpace(text, 0)
  const end = start < text.length ? firstValueEnd(text, start) : -1
  if (end > 0) {
    try {
      return JSON.parse(text.slice(start, end))
    } catch {}
  }
  throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'json: value is not valid JSON')
}

/**
 * The JSON serializer, wire-compatible with Go's `securecookie.JSONEncoder` (see
 * {@link encodeGoJson} and {@link decodeGoJson}). It is the default serializer of `SecureCookie`.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(jsonSerializer.serialize({ n: 1, a: '<' })) // '{"a":"\\u003c","n":1}\n'
 * ```
 */
export const jsonSerializer: Serializer = Object.freeze({
  name: 'json',
  serialize(value: unknown): Uint8Array {
    return utf8.encode(encodeGoJson(value))
  },
  deserialize(bytes: Uint8Array): unknown {
    return decodeGoJson(bytes)
  },
})
