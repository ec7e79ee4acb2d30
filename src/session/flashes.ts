/**
 * @module Flash messages: values kept under a key until read once (gorilla/sessions `AddFlash`,
 * `Flashes`). They live in the session values, so they survive only if the session is saved.
 */
import { UsageError } from '../errors.ts'

/** The key flashes live under when none is given (Go's `"_flash"`). */
export const defaultFlashKey = '_flash'

/** Appends `value` to the list under `key`. */
export function addFlash(values: Record<string, unknown>, value: unknown, key: string): void {
  const list = values[key]
  if (list === undefined) values[key] = [value]
  else if (Array.isArray(list)) list.push(value)
  // Go panics on a non-slice here; a typed error lets the app recover.
  else
    throw new UsageError('ERR_INVALID_SESSION', `session value under the flash key is not a list`)
}

/** Returns the list under `key` and removes it: each flash is seen once. `[]` when there is none. */
export function takeFlashes(values: Record<string, unknown>, key: string): unknown[] {
  const list = values[key]
  if (list === undefined) return []
  if (!Array.isArray(list)) {
    throw new UsageError('ERR_INVALID_SESSION', `session value under the flash key is not a list`)
  }
  delete values[key]
  return list
}
