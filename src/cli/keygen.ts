/**
 * @module `pgstore keygen`: a fresh hash key and block key, base64 (standard, padded), as the lines
 * of an env file. The application reads them back with `Buffer.from(value, 'base64')`.
 */
import { parseArgs } from 'node:util'
import { generateRandomKey } from '../codec/index.ts'
import { UsageError } from '../errors.ts'
import { parseOrUsage } from './args.ts'
import { type CliIO, printJson } from './output.ts'

/** `pgstore keygen --help`. */
export const keygenHelp: string = `Usage: pgstore keygen [--block 16|24|32] [--json]

Prints a new random key pair from the operating system's CSPRNG, base64-encoded:
  SESSION_HASH_KEY=...   64 bytes, signs cookies (HMAC-SHA256)
  SESSION_BLOCK_KEY=...  encrypts cookies (AES-CTR); 32 bytes = AES-256
Load them with Buffer.from(process.env.SESSION_HASH_KEY, 'base64'). To rotate,
put the new pair first and keep the old pair after it until old cookies expire.
Needs no database.

Options:
  --block N            block key length: 16, 24 or 32 bytes. Default: 32
  --json               print {"SESSION_HASH_KEY": ..., "SESSION_BLOCK_KEY": ...}
  -h, --help           print this help`

/** Hash key length: as long as SHA-256's block, the longest HMAC key that is used as it is. */
const hashKeyLength = 64

/** Runs `pgstore keygen`; returns the exit code. */
export async function keygenCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: {
        block: { type: 'string', default: '32' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }),
  )
  if (values.help) {
    io.stdout.write(`${keygenHelp}\n`)
    return 0
  }
  if (!['16', '24', '32'].includes(values.block)) {
    throw new UsageError('ERR_INVALID_OPTION', '--block must be 16, 24 or 32')
  }
  const keys = {
    SESSION_HASH_KEY: Buffer.from(generateRandomKey(hashKeyLength)).toString('base64'),
    SESSION_BLOCK_KEY: Buffer.from(generateRandomKey(Number(values.block))).toString('base64'),
  }
  if (values.json) printJson(io, keys)
  else {
    io.stdout.write(
      `SESSION_HASH_KEY=${keys.SESSION_HASH_KEY}\nSESSION_BLOCK_KEY=${keys.SESSION_BLOCK_KEY}\n`,
    )
  }
  return 0
}
