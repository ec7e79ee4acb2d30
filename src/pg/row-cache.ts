/**
 * @module Decoded rows, remembered: a read of a row whose `data` the store has already verified
 * skips the MAC check, the decryption and (for plain values) the parse.
 *
 * The key is the cookie name and the exact `data` text: the text is what was signed, and the name
 * is part of what the MAC covers, so equal keys always decode to equal values. Nothing here depends
 * on the database or the clock (the row's expiry is decided by the SELECT, and the value's own
 * timestamp is not checked for rows). Each request gets its own copy of the values, so what one
 * handler changes never reaches the next request.
 *
 * Bounded by {@link rowCacheEntries} entries and {@link rowCacheChars} characters of keys in all;
 * the oldest entry goes first. A write remembers the text it wrote (its bytes; the values are
 * decoded from them at the first read, since a serializer may not give back exactly what it was
 * given), so the next read of a session that was just modified skips the MAC check too.
 */
import type { SessionValues } from '../session/session.ts'
import { copyPlain } from './copy-values.ts'

/** Most rows remembered. */
export const rowCacheEntries = 10_000
/** Most characters of names and `data` texts remembered in all (about 2 bytes each in memory). */
export const rowCacheChars = 4_000_000
/** A `data` text longer than this is never remembered: it would push out many small ones. */
const longestText = 16_384

/** What is remembered of one row: its serialized bytes, and its values once decoded (pristine). */
interface Entry {
  readonly bytes: Uint8Array
  /** When the text was sealed (Unix seconds): a touch re-seals a row past `resealAfter`. */
  readonly sealedAt: number
  /** A pristine copy of the decoded values; `undefined` until a read decoded them, or not plain. */
  values: SessionValues | undefined
  plain: boolean
}

/** A hit: the row's serialized bytes and this request's own copy of its values. */
export interface CachedRow {
  readonly bytes: Uint8Array
  readonly values: SessionValues
  readonly sealedAt: number
}

/** One store's decoded rows. */
export class RowCache {
  readonly #entries = new Map<string, Entry>()
  readonly #keepValues: boolean
  #chars = 0

  /**
   * @param keepValues Keep decoded values to copy (default `true`). Off for serializers whose
   *   values carry more than a plain copy keeps (gob remembers each number's Go type by container
   *   identity): the bytes are then parsed again on every hit, after the MAC check and decryption
   *   were skipped.
   */
  constructor(keepValues = true) {
    this.#keepValues = keepValues
  }

  /**
   * The row for (`name`, `text`), or `undefined` when it is not remembered. `decode` turns the
   * remembered bytes into values the first time, and every time when they are not plain (custom
   * types): the caller still skips the MAC check and the decryption.
   */
  get(
    name: string,
    text: string,
    decode: (bytes: Uint8Array) => SessionValues,
  ): CachedRow | undefined {
    const entry = this.#entries.get(keyOf(name, text))
    if (!entry) return undefined
    const { bytes, sealedAt } = entry
    if (entry.values !== undefined) {
      return { bytes, sealedAt, values: copyPlain(entry.values) as SessionValues }
    }
    const values = decode(bytes)
    if (entry.plain) this.#keep(entry, values)
    return { bytes, sealedAt, values }
  }

  /**
   * Remembers that (`name`, `text`), sealed at `sealedAt`, decodes to `bytes`, and to `values` when given (values just
   * deserialized from those bytes; the caller keeps them, a copy is remembered). Only texts the
   * store verified or sealed itself may be remembered.
   */
  remember(
    name: string,
    text: string,
    bytes: Uint8Array,
    sealedAt: number,
    values?: SessionValues,
  ): void {
    if (text.length > longestText) return
    const key = keyOf(name, text)
    if (this.#entries.has(key)) return
    const entry: Entry = { bytes, sealedAt, values: undefined, plain: this.#keepValues }
    if (values !== undefined) this.#keep(entry, values)
    while (
      this.#entries.size >= rowCacheEntries ||
      (this.#entries.size > 0 && this.#chars + key.length > rowCacheChars)
    ) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
      this.#chars -= oldest.length
    }
    this.#entries.set(key, entry)
    this.#chars += key.length
  }

  /** Rows remembered now. */
  get size(): number {
    return this.#entries.size
  }

  /** Keeps a pristine copy of freshly decoded `values`, or marks the entry as not plain. */
  #keep(entry: Entry, values: SessionValues): void {
    if (!entry.plain) return
    const pristine = copyPlain(values)
    if (pristine === undefined) entry.plain = false
    else entry.values = pristine
  }
}

/** The text never holds `|` (base64url), so the last `|` separates the name from it. */
function keyOf(name: string, text: string): string {
  return `${name}|${text}`
}
