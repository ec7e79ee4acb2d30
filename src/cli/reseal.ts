/**
 * @module `pgstore reseal`: re-seals every live session row under the current key pair, in
 * batches, so a leaked (or simply old) key pair can be retired at once, without waiting one maxAge
 * for the applications' own saves to re-seal each row.
 */
import { parseArgs } from 'node:util'
import { codecsFromPairs, type SecureCookie } from '../codec/index.ts'
import { UsageError } from '../errors.ts'
import { type ResealReport, resealRows } from '../pg/reseal.ts'
import { assertCookieName } from '../session/options.ts'
import {
  databaseOptions,
  databaseOptionsHelp,
  databaseTarget,
  parseOrUsage,
  positiveInteger,
} from './args.ts'
import { openDatabase } from './db.ts'
import { type CliIO, printJson } from './output.ts'

/** `pgstore reseal --help`. */
export const resealHelp: string = `Usage: pgstore reseal --name NAME [--name NAME...] [--batch N] [options]

Re-seals every live session row that an older key pair sealed under the current
pair, keeping its values, expiry and version. Run it after deploying the new keys
(new pair first, the old one after it) and before removing the old pair from the
applications: then no session is lost when the old pair goes. Rows that no pair
opens are counted and left alone; a row saved while the pass runs keeps that save.

Keys come from the environment, base64 as \`pgstore keygen\` prints them:
  SESSION_HASH_KEY, SESSION_BLOCK_KEY        the current pair (block key optional)
  SESSION_HASH_KEY_2, SESSION_BLOCK_KEY_2    an older pair; _3, _4, ... for more
Progress goes to stderr, the summary to stdout.

Options:
  --name NAME          session (cookie) name the rows belong to; a row's seal is
                       bound to it. Repeat for several. Required
  --batch N            rows per batch. Default: 500
  --key-encoding ENC   base64 or utf8 (Go's []byte("...") keys). Default: base64

${databaseOptionsHelp}`

/** The key pairs from `env`, newest first: `hash1, block1, hash2, block2, ...`. */
function keysFrom(env: CliIO['env'], encoding: string): Array<Uint8Array | null> {
  if (encoding !== 'base64' && encoding !== 'utf8') {
    throw new UsageError('ERR_INVALID_OPTION', '--key-encoding must be base64 or utf8')
  }
  const decode = (name: string, text: string): Uint8Array => {
    if (encoding === 'utf8') return new TextEncoder().encode(text)
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.trim())) {
      throw new UsageError('ERR_INVALID_OPTION', `${name} is not base64`)
    }
    return new Uint8Array(Buffer.from(text.trim(), 'base64'))
  }
  const pairs: Array<Uint8Array | null> = []
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `_${n}`
    const hash = env[`SESSION_HASH_KEY${suffix}`]
    if (hash === undefined || hash === '') break
    const block = env[`SESSION_BLOCK_KEY${suffix}`]
    pairs.push(decode(`SESSION_HASH_KEY${suffix}`, hash))
    pairs.push(block ? decode(`SESSION_BLOCK_KEY${suffix}`, block) : null)
  }
  if (pairs.length === 0) {
    throw new UsageError('ERR_HASH_KEY_NOT_SET', 'set SESSION_HASH_KEY (the current key pair)')
  }
  return pairs
}

function progressLine(report: ResealReport, elapsedMs: number): string {
  return (
    `re-sealed ${report.resealed} of ${report.scanned} rows read ` +
    `(${report.undecodable} undecodable), ${(elapsedMs / 1000).toFixed(1)}s`
  )
}

/** Runs `pgstore reseal`; returns the exit code. */
export async function resealCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: {
        ...databaseOptions,
        name: { type: 'string', multiple: true },
        batch: { type: 'string' },
        'key-encoding': { type: 'string', default: 'base64' },
      },
      strict: true,
    }),
  )
  if (values.help) {
    io.stdout.write(`${resealHelp}\n`)
    return 0
  }
  const names = values.name ?? []
  if (names.length === 0) throw new UsageError('ERR_INVALID_OPTION', '--name is required')
  for (const name of names) assertCookieName(name)
  const batchSize = positiveInteger(values.batch, 'batch', 500, 100_000)
  const codecs: SecureCookie[] = codecsFromPairs(...keysFrom(io.env, values['key-encoding']))
  // Rows as long as the table holds, whatever the applications' cookie limit.
  for (const codec of codecs) codec.maxLength(0)
  const target = databaseTarget(values, io.env)
  const db = await openDatabase(target, { requireTable: true })
  const started = performance.now()
  const tty = io.stderr.isTTY === true
  let report: ResealReport
  try {
    report = await resealRows(db.pool, target.table, codecs, names, {
      batchSize,
      onBatch: (so) => {
        const line = progressLine(so, performance.now() - started)
        io.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`)
      },
    })
  } finally {
    if (tty) io.stderr.write('\r\x1b[K')
    await db.close()
  }
  const durationMs = Math.round(performance.now() - started)
  if (values.json) printJson(io, { table: target.table.qualified, ...report, durationMs })
  else {
    io.stdout.write(
      `re-sealed ${report.resealed} sessions in ${target.table.qualified} under the current key pair; ` +
        `${report.current} already were, ${report.undecodable} undecodable (left alone), ` +
        `${report.changed} saved meanwhile (kept), ${report.batches} batch(es), ${(durationMs / 1000).toFixed(1)}s\n`,
    )
  }
  return 0
}
