/**
 * @module What a command writes, and where: the process streams in `main.ts`, plain buffers in
 * tests. Also the few text helpers every command shares (JSON lines, aligned columns, sizes).
 */

/** A stream a command writes to; `isTTY` decides whether progress lines are drawn. */
export interface CliStream {
  write(text: string): unknown
  /** True when the stream is a terminal. Default: not a terminal. */
  readonly isTTY?: boolean | undefined
}

/** The outside world of one command run: its streams and its environment. */
export interface CliIO {
  stdout: CliStream
  stderr: CliStream
  /** Read for `DATABASE_URL`; never written. */
  env: Readonly<Record<string, string | undefined>>
}

/** The real process: `process.stdout`, `process.stderr` and `process.env`. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env }
}

/**
 * What a terminal must never receive raw from client-supplied text: C0 controls, DEL, C1 controls
 * (U+0085, U+009B CSI...), and the bidirectional controls that reorder what the operator sees
 * (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), plus the line and paragraph separators.
 */
const unsafe =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const escapeUnsafe = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/**
 * Writes `value` as one line of JSON, dates as ISO strings, bigints as numbers. The characters
 * `JSON.stringify` leaves raw that a terminal would act on (C1 and bidirectional controls) are
 * written as `\u` escapes, which read back as the same string.
 */
export function printJson(io: CliIO, value: unknown): void {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
  // Outside strings JSON has none of these characters, so escaping them everywhere is safe.
  io.stdout.write(`${text.replace(unsafe, escapeUnsafe)}\n`)
}

/**
 * `text` with control characters shown as `\u001b` and the like: user agents come from clients,
 * and an escape sequence (or a bidirectional override) printed raw would drive or disguise the
 * operator's terminal.
 */
export function printable(text: string): string {
  return text.replace(unsafe, escapeUnsafe)
}

/** Writes `rows` as left-aligned columns under `header`, two spaces apart, made printable. */
export function printTable(io: CliIO, header: readonly string[], cells: readonly string[][]): void {
  const rows = cells.map((row) => row.map(printable))
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
  io.stdout.write(`${[header, ...rows].map(line).join('\n')}\n`)
}

/** `1536` → `1.5 kB`: powers of 1024, as `pg_size_pretty` prints them. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`
}

/** An ISO timestamp, or `-` when there is none. */
export function formatDate(date: Date | null): string {
  return date === null ? '-' : date.toISOString()
}
