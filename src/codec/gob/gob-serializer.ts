/**
 * @module The gob {@link Serializer}: what Go's pgstore (securecookie's default `GobEncoder`) puts in
 * its cookies and rows.
 */

import { DecodeError, PgStoreError, UsageError } from '../../errors.ts'
import type { Serializer } from '../serializer.ts'
import { decodeGob } from './decode.ts'
import { encodeGob } from './encode.ts'

/**
 * Reads and writes Go's gob encoding for the two shapes pgstore stores: a top-level Go `string` (the
 * session id in the cookie) and `map[interface{}]interface{}` (the session values in the row).
 *
 * `serialize(value)`: a JS string becomes a Go `string`; a plain object or a `Map` becomes the map,
 * with values mapped as {@link GobValue} describes. Anything else (undefined, functions, symbols,
 * class instances such as `Date`, cycles, nesting deeper than 64) throws `UsageError`
 * `ERR_SERIALIZE`. Each call is a self-contained gob stream, type definitions included, as Go's
 * `GobEncoder` makes one `gob.Encoder` per call.
 *
 * `deserialize(bytes)`: returns a string or the decoded map: a null-prototype object when every
 * key is a string, otherwise a `Map`. Integers become numbers, or bigints outside ±(2^53 - 1);
 * floats become numbers. Any failure, including Go types outside {@link GobValue} (time.Time,
 * structs, unregistered types), throws `DecodeError` `ERR_COOKIE_DESERIALIZE`.
 *
 * A decoded number is a plain number (or bigint), but the map, slice or nested map it came in
 * remembers its Go type: written again while it is still a number of that kind in range (an
 * integer for the integer types), an `int64`, a `uint8` or an integral `float64` such as `3.0`
 * keeps its Go type. A value replaced by another kind, out of range, or in a copied container (a
 * new object) follows the default mapping: a safe integer is `int`, another number `float64`, a
 * bigint `int64` (`uint64` above its range); wrap to choose (`goInt64(n)`, `goFloat64(x)`, ...).
 */
export const gobSerializer: Serializer = {
  name: 'gob',
  serialize(value: unknown): Uint8Array {
    try {
      return encodeGob(value)
    } catch (err) {
      if (err instanceof UsageError && err.code === 'ERR_SERIALIZE') throw err
      throw new UsageError('ERR_SERIALIZE', 'gob: cannot serialize the value', { cause: err })
    }
  },
  deserialize(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'gob: input is not a Uint8Array')
    }
    try {
      return decodeGob(bytes)
    } catch (err) {
      if (err instanceof PgStoreError && err.code === 'ERR_COOKIE_DESERIALIZE') throw err
      // A bug here must still honour the contract: bad input is a DecodeError, never a crash.
      throw new DecodeError('ERR_COOKIE_DESERIALIZE', 'gob: cannot decode the value', {
        cause: err,
      })
    }
  },
}
