/**
 * @module `pgstore sessions list|revoke`: an owner's live sessions, and signing an owner out
 * everywhere (or everywhere but one session, or only one). Sessions are named by their handle, the
 * row's number: the session id never leaves the database.
 */
import { parseArgs } from 'node:util'
import { UsageError } from '../errors.ts'
import { databaseOptions, databaseOptionsHelp, databaseTarget, parseOrUsage } from './args.ts'
import { openDatabase, storeFor } from './db.ts'
import { type CliIO, formatDate, printable, printJson, printTable } from './output.ts'

/** `pgstore sessions --help`. */
export const sessionsHelp: string = `Usage: pgstore sessions list --owner ID [options]
       pgstore sessions revoke --owner ID [--except HANDLE | --handle HANDLE] [options]

list     prints the owner's live sessions, most recently active first, each with its
         HANDLE (a row number; the session id itself is never shown).
revoke   deletes the owner's sessions: all of them (sign out everywhere), all but
         --except HANDLE, or only --handle HANDLE. Their cookies then load as new,
         empty sessions. A HANDLE that is not one of the owner's live sessions
         revokes nothing and exits with status 2.

The owner is what the application set as session.owner before saving.

Options:
  --owner ID           the owner (required)
  --except HANDLE      revoke: keep this session
  --handle HANDLE      revoke: delete only this session

${databaseOptionsHelp}`

const handlePattern = /^[0-9]{1,19}$/

function handleOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && !handlePattern.test(value)) {
    throw new UsageError(
      'ERR_INVALID_OPTION',
      `--${name} must be a handle from \`pgstore sessions list\``,
    )
  }
  return value
}

/** Runs `pgstore sessions list|revoke`; returns the exit code. */
export async function sessionsCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({
      args,
      options: {
        ...databaseOptions,
        owner: { type: 'string' },
        except: { type: 'string' },
        handle: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  )
  if (values.help) {
    io.stdout.write(`${sessionsHelp}\n`)
    return 0
  }
  const [action, ...extra] = positionals
  if (action !== 'list' && action !== 'revoke') {
    throw new UsageError('ERR_INVALID_OPTION', 'say `sessions list` or `sessions revoke`')
  }
  if (extra.length > 0) {
    throw new UsageError('ERR_INVALID_OPTION', `unexpected argument '${extra[0]}'`)
  }
  const owner = values.owner
  if (owner === undefined || owner === '') {
    throw new UsageError('ERR_INVALID_OPTION', '--owner ID is required')
  }
  const except = handleOption(values.except, 'except')
  const handle = handleOption(values.handle, 'handle')
  if (action === 'list' && (except !== undefined || handle !== undefined)) {
    throw new UsageError('ERR_INVALID_OPTION', '--except and --handle are for `sessions revoke`')
  }
  if (except !== undefined && handle !== undefined) {
    throw new UsageError('ERR_INVALID_OPTION', 'use either --except or --handle, not both')
  }
  const target = databaseTarget(values, io.env)
  const db = await openDatabase(target, { requireTable: true })
  try {
    const store = storeFor(db)
    if (action === 'list') {
      const sessions = (await store.listSessions(owner)).map(({ current: _, ...rest }) => rest)
      if (values.json) printJson(io, { owner, sessions })
      else if (sessions.length === 0) {
        io.stdout.write(`no live sessions for owner ${printable(owner)}\n`)
      } else {
        printTable(
          io,
          ['HANDLE', 'CREATED', 'LAST ACTIVE', 'EXPIRES', 'USER AGENT'],
          sessions.map((s) => [
            s.handle,
            formatDate(s.createdOn),
            formatDate(s.lastActive),
            formatDate(s.expiresOn),
            s.userAgent ?? '-',
          ]),
        )
      }
      return 0
    }
    const unknownHandle = (value: string) =>
      new UsageError(
        'ERR_INVALID_OPTION',
        `owner ${printable(owner)} has no live session with handle ${value}: nothing revoked; ` +
          `\`pgstore sessions list --owner ${printable(owner)}\` shows the handles`,
      )
    // Keeping a session that is not there would sign the owner out everywhere: refuse instead.
    if (except !== undefined) {
      const live = await store.listSessions(owner)
      if (!live.some((s) => s.handle === except)) throw unknownHandle(except)
    }
    const revoked =
      handle === undefined
        ? await store.revokeSessions(owner, except === undefined ? {} : { except })
        : Number(await store.revokeSession(owner, handle))
    if (handle !== undefined && revoked === 0) throw unknownHandle(handle)
    if (values.json) printJson(io, { owner, revoked })
    else io.stdout.write(`revoked ${revoked} session(s) of owner ${printable(owner)}\n`)
    return 0
  } finally {
    await db.close()
  }
}
