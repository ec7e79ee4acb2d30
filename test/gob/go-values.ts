/**
 * @module Test support: the Go vectors file, and its recorded `{type, value}` trees turned into the
 * JavaScript values the gob serializer should produce (plain) or needs to reproduce Go's exact types
 * (typed, with `GoNumber` wrappers).
 */

import {
  type GobKey,
  type GobValue,
  GoNumber,
  type GoNumberType,
} from '../../src/codec/gob/index.ts'
import { readGoVectors } from '../fixtures/go-vectors-file.ts'

/** A value as the Go generator recorded it. */
export interface GoRecorded {
  type: string
  value: unknown
}

interface GoEntry {
  key: GoRecorded
  value: GoRecorded
}

/** One `gob_samples` entry. */
export interface GobSample {
  id: string
  go_type: string
  value: GoRecorded
  hex: string
  deterministic: boolean
  error?: string
}

/** A gob payload found elsewhere in the vectors (encode_vectors, fixed_vectors). */
export interface GobPayload {
  id: string
  value: GoRecorded
  hex: string
  deterministic: boolean
}

// biome-ignore lint/suspicious/noExplicitAny: the JSON file is the schema.
const vectors: any = readGoVectors()

/** The `gob_samples` section. */
export const gobSamples: GobSample[] = vectors.gob_samples

/** Every gob-serialized payload recorded with the securecookie vectors. */
export const gobPayloads: GobPayload[] = [
  // biome-ignore lint/suspicious/noExplicitAny: JSON
  ...vectors.encode_vectors.filter((v: any) => v.codec.serializer === 'gob'),
  // biome-ignore lint/suspicious/noExplicitAny: JSON
  ...vectors.fixed_vectors.filter((v: any) => v.serializer === 'gob'),
  // biome-ignore lint/suspicious/noExplicitAny: JSON
].map((v: any) => ({
  id: v.id,
  value: v.value,
  hex: v.serialized_hex ?? v.dissected.serialized_hex,
  deterministic: v.serialized_bytes_deterministic ?? true,
}))

/** Hex to bytes. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** Bytes to hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

const NUMBER_TYPES = new Set<string>([
  'int',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float32',
  'float64',
])

/**
 * The recorded Go value as JavaScript. `typed` wraps every number whose Go type the default mapping
 * would not pick (so encoding it reproduces Go's bytes); otherwise numbers are plain, as decoded.
 */
export function toJs(rec: GoRecorded, typed: boolean): GobValue {
  switch (rec.type) {
    case 'string':
    case 'bool':
      return rec.value as string | boolean
    case '[]byte(hex)':
      return fromHex(rec.value as string)
    case '[]interface {}':
      return (rec.value as GoRecorded[]).map((v) => toJs(v, typed))
    case 'map[interface {}]interface {}': {
      const entries = (rec.value as GoEntry[]).map(
        (e) => [toJs(e.key, typed), toJs(e.value, typed)] as [GobKey, GobValue],
      )
      if (entries.every(([k]) => typeof k === 'string')) {
        const obj = Object.create(null)
        for (const [k, v] of entries) obj[k as string] = v
        return obj
      }
      return new Map(entries)
    }
  }
  if (!NUMBER_TYPES.has(rec.type)) throw new Error(`test helper: no mapping for ${rec.type}`)
  const type = rec.type as GoNumberType
  const raw = rec.value as number | string
  const plain =
    typeof raw === 'string' && !Number.isSafeInteger(Number(raw)) ? BigInt(raw) : Number(raw)
  const isDefault =
    (type === 'int' && typeof plain === 'number' && Number.isSafeInteger(plain)) ||
    (type === 'float64' && typeof plain === 'number' && !Number.isInteger(plain))
  return typed && !isDefault ? new GoNumber(type, plain) : plain
}
