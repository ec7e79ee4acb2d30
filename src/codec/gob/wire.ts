/**
 * @module Gob wire constants shared by the reader and the writer: the predefined type ids, the
 * registered Go names pgstore's values use, and the limits that keep hostile input cheap.
 */

import type { GoFloatType, GoIntType, GoUintType } from './types.ts'

// Predefined type ids (encoding/gob type.go); user types start at FIRST_USER_ID.
export const T_BOOL = 1
export const T_INT = 2
export const T_UINT = 3
export const T_FLOAT = 4
export const T_BYTES = 5
export const T_STRING = 6
export const T_INTERFACE = 8
export const FIRST_USER_ID = 64

/**
 * The ids our writer gives its two composite types. Any id works for Go's reader; these are the ones
 * a fresh Go program using pgstore emitted when the samples were recorded, so our bytes match.
 */
export const MAP_ID = 65
export const SLICE_ID = 66

/** Containers (maps and slices) nested deeper than this are refused both ways. */
export const MAX_DEPTH = 64

/** The Go names gob writes before an interface value, as `reflect.Type.String()` spells them. */
export const MAP_NAME = 'map[interface {}]interface {}'
export const SLICE_NAME = '[]interface {}'
export const BYTES_NAME = '[]uint8'

/** What a registered Go name means on the JavaScript side. */
export type Concrete =
  | { readonly kind: 'int'; readonly type: GoIntType }
  | { readonly kind: 'uint'; readonly type: GoUintType }
  | { readonly kind: 'float'; readonly type: GoFloatType }
  | { readonly kind: 'bool' | 'string' | 'bytes' | 'slice' | 'map' }

/** Every interface name the reader accepts. Anything else (time.Time, structs...) is refused. */
export const CONCRETE_BY_NAME: ReadonlyMap<string, Concrete> = new Map<string, Concrete>([
  ['int', { kind: 'int', type: 'int' }],
  ['int8', { kind: 'int', type: 'int8' }],
  ['int16', { kind: 'int', type: 'int16' }],
  ['int32', { kind: 'int', type: 'int32' }],
  ['int64', { kind: 'int', type: 'int64' }],
  ['uint', { kind: 'uint', type: 'uint' }],
  ['uint8', { kind: 'uint', type: 'uint8' }],
  ['uint16', { kind: 'uint', type: 'uint16' }],
  ['uint32', { kind: 'uint', type: 'uint32' }],
  ['uint64', { kind: 'uint', type: 'uint64' }],
  ['uintptr', { kind: 'uint', type: 'uintptr' }],
  ['float32', { kind: 'float', type: 'float32' }],
  ['float64', { kind: 'float', type: 'float64' }],
  ['bool', { kind: 'bool' }],
  ['string', { kind: 'string' }],
  [BYTES_NAME, { kind: 'bytes' }],
  [SLICE_NAME, { kind: 'slice' }],
  [MAP_NAME, { kind: 'map' }],
])

/** A type definition as received: only what the reader needs to check compatibility. */
export type WireType =
  | { readonly kind: 'slice'; readonly elem: number }
  | { readonly kind: 'map'; readonly key: number; readonly elem: number }
  | { readonly kind: 'array'; readonly elem: number }
  | { readonly kind: 'struct' | 'gobEncoder' }
