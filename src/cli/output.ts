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

/** Writes `value` as one line of JSON, dates as ISO strings, bigints as numbers. */
export function printJson(io: CliIO, value: unknown): void {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
  io.stdout.write(`${text}\n`)
}

/**
 * `text` with control characters shown as `\u001b` and the like: user agents come from clients,
 * and an escape sequence printed raw would drive the operator's terminal.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
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
