/**
 * Codec throughput: encode and decode ops/s for a signed-only and an AES-256 codec, with a small
 * value (a 52-character session id, what the store puts in the cookie) and a 2 KB value.
 *
 * Run: node --import tsx bench/codec.ts [durationMs per case, default 1000]
 */

import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { generateRandomKey, SecureCookie } from '../src/codec/index.ts'

/** One measured case. */
export interface Row {
  /** e.g. `decode aes-256 2KB`. */
  name: string
  op: 'encode' | 'decode'
  keys: 'hash-only' | 'aes-256'
  value: 'sid52' | '2KB'
  opsPerSec: number
  /** Mean time per operation in microseconds. */
  usPerOp: number
  /** Length of the encoded cookie. */
  cookieLength: number
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

function randomText(length: number, alphabet: string): string {
  const bytes = randomBytes(length)
  let text = ''
  for (const byte of bytes) text += alphabet[byte % alphabet.length]
  return text
}

/** Runs `fn` in batches until `durationMs` has passed; returns ops/s. */
function measure(fn: () => unknown, durationMs: number): number {
  const warmUntil = performance.now() + Math.min(200, durationMs / 4)
  while (performance.now() < warmUntil) fn()
  let ops = 0
  const start = performance.now()
  const end = start + durationMs
  let now = start
  while (now < end) {
    for (let i = 0; i < 200; i++) fn()
    ops += 200
    now = performance.now()
  }
  return (ops * 1000) / (now - start)
}

/**
 * Measures every (op, keys, value) combination, one after the other on this thread.
 *
 * @param durationMs Time spent measuring each case. Default 1000.
 */
export async function runCodecBench(durationMs = 1000): Promise<Row[]> {
  const values = {
    sid52: randomText(52, BASE32),
    '2KB': randomText(2048, `${BASE32}abcdefghijklmnopqrstuvwxyz0189+/`),
  }
  const codecs = {
    'hash-only': new SecureCookie(generateRandomKey(64)).maxLength(8192),
    'aes-256': new SecureCookie(generateRandomKey(64), generateRandomKey(32)).maxLength(8192),
  }
  const rows: Row[] = []
  for (const keys of ['hash-only', 'aes-256'] as const) {
    for (const value of ['sid52', '2KB'] as const) {
      const codec = codecs[keys]
      const cookie = codec.encode('session', values[value])
      if (codec.decode('session', cookie) !== values[value]) throw new Error('round trip failed')
      for (const op of ['encode', 'decode'] as const) {
        const fn =
          op === 'encode'
            ? () => codec.encode('session', values[value])
            : () => codec.decode('session', cookie)
        const opsPerSec = measure(fn, durationMs)
        rows.push({
          name: `${op} ${keys} ${value}`,
          op,
          keys,
          value,
          opsPerSec: Math.round(opsPerSec),
          usPerOp: Math.round((1e6 / opsPerSec) * 100) / 100,
          cookieLength: cookie.length,
        })
        // Let timers and other work run between cases.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
  }
  return rows
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.argv[2]) || 1000
  const rows = await runCodecBench(durationMs)
  console.log(`node ${process.version}, ${durationMs} ms per case`)
  console.table(
    rows.map(({ name, opsPerSec, usPerOp, cookieLength }) => ({
      case: name,
      'ops/s': opsPerSec.toLocaleString('en-US'),
      'µs/op': usPerOp,
      'cookie chars': cookieLength,
    })),
  )
}
