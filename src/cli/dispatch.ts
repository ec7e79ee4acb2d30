/**
 * @module The `pgstore` command line: picks the command, and turns whatever it throws into one line
 * on stderr and an exit code. Never a stack trace, never the database URL's password.
 */
import { readFileSync } from 'node:fs'
import { PgStoreError } from '../errors.ts'
import { cleanupCommand, cleanupHelp } from './cleanup.ts'
import { hashIdsCommand, hashIdsHelp } from './hash-ids.ts'
import { importCommand, importHelp } from './import.ts'
import { keygenCommand, keygenHelp } from './keygen.ts'
import { migrateCommand, migrateHelp } from './migrate.ts'
import { type CliIO, printable } from './output.ts'
import { resealCommand, resealHelp } from './reseal.ts'
import { sessionsCommand, sessionsHelp } from './sessions.ts'
import { statsCommand, statsHelp } from './stats.ts'

/** Exit codes: `0` done, `1` the database (or anything at run time) failed, `2` bad usage. */
export const exitCodes: { ok: 0; failure: 1; usage: 2 } = { ok: 0, failure: 1, usage: 2 }

interface Command {
  run(args: string[], io: CliIO): Promise<number>
  help: string
}

const commands: Record<string, Command> = {
  migrate: { run: migrateCommand, help: migrateHelp },
  cleanup: { run: cleanupCommand, help: cleanupHelp },
  stats: { run: statsCommand, help: statsHelp },
  keygen: { run: keygenCommand, help: keygenHelp },
  sessions: { run: sessionsCommand, help: sessionsHelp },
  import: { run: importCommand, help: importHelp },
  reseal: { run: resealCommand, help: resealHelp },
  'hash-ids': { run: hashIdsCommand, help: hashIdsHelp },
}

/** `pgstore --help`. */
export const mainHelp: string = `Usage: pgstore <command> [options]

Operates a pgstore sessions table in PostgreSQL.

Commands:
  migrate              create or upgrade the sessions table (--dry-run prints the SQL)
  cleanup              delete expired sessions in batches, once (for cron)
  stats                row counts, sizes, oldest and newest session, top owners
  keygen               print a new hash key and block key (base64) for the environment
  sessions list        list an owner's live sessions
  sessions revoke      sign an owner out everywhere (or all but one session)
  import               copy connect-pg-simple's live sessions in (nobody signed out)
  reseal               re-seal every live row under the current key pair (retire a key)
  hash-ids             replace plain session ids by their hash (for hashIds)

Run 'pgstore <command> --help' for a command's options. Commands that use the
database read DATABASE_URL (or --database-url) and take --schema and --table;
all take --json for output meant for scripts: results on stdout, and a failure
as one JSON line on stderr, {"error":{"code","kind","message","sqlState"?}}.

Exit codes:
  0  success
  1  runtime failure: the database could not be reached, the table is missing,
     a query failed
  2  usage error: unknown command or option, bad value`

function version(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
  return String((JSON.parse(text) as { version?: unknown }).version)
}

/** One printable line of an error's message; the rest of a driver's text stays out. */
function oneLine(message: string): string {
  return printable(message.split('\n')[0] ?? '')
}

/** The message without a leading `<command>: ` the library already put there (`migrate: ...`). */
function withoutPrefix(message: string, name: string): string {
  return message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message
}

/** Writes a failure of command `name` to stderr, as text or as one JSON line; returns the code. */
function report(io: CliIO, name: string, error: unknown, json: boolean): number {
  const typed = error instanceof PgStoreError ? error : undefined
  const usage = typed?.kind === 'usage'
  const code = usage ? exitCodes.usage : exitCodes.failure
  const raw = error instanceof Error ? error.message : String(error)
  const message = oneLine(withoutPrefix(raw, name))
  if (json) {
    const sqlState = (typed as { sqlState?: unknown } | undefined)?.sqlState
    const body = {
      code: typed?.code ?? 'ERR_INTERNAL',
      kind: typed?.kind ?? 'internal',
      message: typed ? message : `unexpected error: ${message}`,
      ...(typeof sqlState === 'string' ? { sqlState } : {}),
    }
    io.stderr.write(`${JSON.stringify({ command: name, exitCode: code, error: body })}\n`)
  } else if (usage) {
    io.stderr.write(`pgstore ${name}: ${message} (see \`pgstore ${name} --help\`)\n`)
  } else if (typed) {
    io.stderr.write(`pgstore ${name}: ${message}\n`)
  } else {
    io.stderr.write(`pgstore ${name}: unexpected error: ${message}\n`)
  }
  return code
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit code. Writes
 * results to `io.stdout` and one line per failure to `io.stderr`.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['stats', '--json'], processIO())
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined) {
    io.stderr.write(`${mainHelp}\n`)
    return exitCodes.usage
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = args[0] === undefined ? undefined : commands[args[0]]
    io.stdout.write(`${topic?.help ?? mainHelp}\n`)
    return exitCodes.ok
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version()}\n`)
    return exitCodes.ok
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (command === undefined) {
    io.stderr.write(
      `pgstore: unknown command '${oneLine(name)}' (see \`pgstore --help\` for the commands)\n`,
    )
    return exitCodes.usage
  }
  try {
    return await command.run([...args], io)
  } catch (error) {
    // `--json` is honoured even when parsing the other options failed.
    return report(io, name, error, args.includes('--json'))
  }
}
