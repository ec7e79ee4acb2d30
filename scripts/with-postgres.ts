/**
 * @module Runs a command with `DATABASE_URL` pointing at a working PostgreSQL (see
 * `./local-postgres.ts` for the order: `DATABASE_URL`, the local server, an embedded one).
 *
 * Two forms:
 *
 *   node --import tsx scripts/with-postgres.ts --test-dirs test/codec,test/store [node flags...]
 *   node --import tsx scripts/with-postgres.ts [--] <command> [args...]
 *
 * `--test-dirs` runs `node --import tsx --test [node flags...] <files>` where `<files>` are the
 * `*.test.ts` files directly inside each listed folder, sorted. Folders that are missing or hold no
 * test file are skipped, because a shell glob that matches nothing would make `node --test` fail
 * ("Could not find ...") while other parts of the project are not written yet. Finding no file at
 * all is an error: a green run that tested nothing must not pass. Extra arguments (as in
 * `npm test -- --test-name-pattern=cookie`) go to `node` before the files.
 *
 * It prints one line naming the database source, never a password; passes its environment on
 * (`FUZZ_RUNS` and the like) with `DATABASE_URL` set; inherits stdio; stops an embedded server when
 * the command ends or on SIGINT/SIGTERM (forwarded to the command first); and exits with the
 * command's code (128 + signal number when the command died of a signal).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describeUrl, type ResolvedDatabase, resolveDatabase } from './local-postgres.ts'

/** How long a command has to exit after a forwarded signal before it is killed. */
const KILL_AFTER_MS = 10_000

/** The `*.test.ts` files directly inside each folder, sorted; missing folders are skipped. */
export function testFiles(dirs: readonly string[]): string[] {
  const files: string[] = []
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue
    const names = readdirSync(dir).filter((name) => name.endsWith('.test.ts'))
    for (const name of names.sort())
      files.push(path.posix.join(dir.split(path.sep).join('/'), name))
  }
  return files
}

/** The command line to run, from this script's arguments; `undefined` means print usage. */
export function commandFor(args: readonly string[]): string[] | undefined {
  if (args[0] === '--test-dirs') {
    const dirs = (args[1] ?? '').split(',').filter((dir) => dir !== '')
    if (dirs.length === 0) return undefined
    const files = testFiles(dirs)
    if (files.length === 0) {
      throw new Error(`no *.test.ts file in any of: ${dirs.join(', ')}`)
    }
    return [process.execPath, '--import', 'tsx', '--test', ...args.slice(2), ...files]
  }
  const command = args[0] === '--' ? args.slice(1) : [...args]
  return command.length === 0 ? undefined : command
}

async function main(): Promise<number> {
  let command: string[] | undefined
  try {
    command = commandFor(process.argv.slice(2))
  } catch (err) {
    console.error(`with-postgres: ${(err as Error).message}`)
    return 1
  }
  if (command === undefined) {
    console.error('usage: with-postgres.ts --test-dirs <dir>[,<dir>...] [node flags...]')
    console.error('       with-postgres.ts [--] <command> [args...]')
    return 2
  }

  let db: ResolvedDatabase
  try {
    db = await resolveDatabase()
  } catch (err) {
    console.error(`with-postgres: no PostgreSQL available: ${(err as Error).message}`)
    return 1
  }
  const note = db.source === 'embedded' ? ' (temporary, stopped after the run)' : ''
  console.log(`pgstore tests: PostgreSQL from ${db.source} ${describeUrl(db.url)}${note}`)

  try {
    return await run(command, { ...process.env, DATABASE_URL: db.url })
  } finally {
    await db.stop()
  }
}

/** Runs the command to completion, forwarding SIGINT and SIGTERM to it. */
function run(command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = command as [string, ...string[]]
  const child: ChildProcess = spawn(file, args, { stdio: 'inherit', env })
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS).unref()
  }
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  return new Promise((resolve) => {
    const done = (code: number): void => {
      process.removeListener('SIGINT', forward)
      process.removeListener('SIGTERM', forward)
      resolve(code)
    }
    child.once('error', (err) => {
      console.error(`with-postgres: cannot run ${file}: ${err.message}`)
      done(127)
    })
    child.once('exit', (code, signal) => {
      done(code ?? 128 + (signal === null ? 0 : (os.constants.signals[signal] ?? 0)))
    })
  })
}

// Only run when executed, so tests can import the helpers above. Real paths, because a wrong "no"
// here would exit 0 having run nothing (a checkout reached through a symlink).
const entry = process.argv[1]
if (entry !== undefined && realpathSync(import.meta.filename) === realpathSync(entry)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error('with-postgres:', err)
      process.exit(1)
    },
  )
}
