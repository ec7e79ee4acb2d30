/**
 * @module `npm start`: runs the demo until Ctrl-C.
 *
 * Environment, all optional:
 * - `PORT` (default 3000) and `HOST` (default 127.0.0.1): where to listen.
 * - `DATABASE_URL`: the PostgreSQL to keep sessions in. Unset: a temporary embedded server, deleted
 *   when the demo stops (the machine's own server is not used unless you name it here).
 * - `SESSION_HASH_KEY` and `SESSION_BLOCK_KEY`: base64 keys (32 or 64 bytes, and 32 bytes), as
 *   `pgstore keygen` prints them, decoded with `Buffer.from(value, 'base64')`. Unset: random keys, so sessions do not survive a restart (neither does an embedded database).
 */
import { type Demo, startDemo } from './app.ts'

/** How long a graceful stop may take before the process exits anyway. */
const STOP_MS = 5000

function fail(message: string): never {
  console.error(`pgstore demo: ${message}`)
  process.exit(2)
}

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 3000
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('PORT must be a number 0-65535')
  return port
}

function keyFromEnv(name: string, lengths: readonly number[]): Uint8Array | undefined {
  const value = process.env[name]
  if (value === undefined || value === '') return undefined
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : undefined
  // Never echo the value: it is a secret.
  if (bytes === undefined || !lengths.includes(bytes.length)) {
    fail(`${name} must be ${lengths.join(' or ')} bytes in base64`)
  }
  return new Uint8Array(bytes)
}

async function main(): Promise<void> {
  const hashKey = keyFromEnv('SESSION_HASH_KEY', [32, 64])
  const blockKey = keyFromEnv('SESSION_BLOCK_KEY', [32])
  if ((hashKey === undefined) !== (blockKey === undefined)) {
    fail('set both SESSION_HASH_KEY and SESSION_BLOCK_KEY, or neither')
  }
  const databaseUrl = process.env.DATABASE_URL || undefined

  let demo: Demo | undefined
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    // Still starting, or a second Ctrl-C: leave now. The embedded server dies with the process.
    if (demo === undefined || stopping) process.exit(130)
    stopping = true
    console.log(`\n${signal}: stopping (Ctrl-C again to force)`)
    setTimeout(() => {
      console.error(`pgstore demo: not stopped after ${STOP_MS / 1000} s, exiting anyway`)
      process.exit(1)
    }, STOP_MS).unref()
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('pgstore demo: stop failed:', (error as Error).message)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)

  if (databaseUrl === undefined) console.log('pgstore demo: starting an embedded PostgreSQL...')
  demo = await startDemo({
    port: portFromEnv(process.env.PORT),
    host: process.env.HOST || '127.0.0.1',
    databaseUrl,
    hashKey,
    blockKey,
  })
  console.log(`pgstore demo: open ${demo.url}  (Ctrl-C to stop)`)
  console.log(
    demo.database === 'embedded'
      ? '  sessions: a temporary embedded PostgreSQL, deleted when the demo stops'
      : '  sessions: the database in DATABASE_URL, table http_sessions',
  )
  if (hashKey === undefined) {
    console.log('  keys: random for this run; set SESSION_HASH_KEY and SESSION_BLOCK_KEY (base64)')
    console.log(
      '        to keep cookies valid across restarts: `npm run pgstore -- keygen` prints a pair',
    )
  }
}

main().catch((error: unknown) => {
  console.error('pgstore demo: could not start:', (error as Error).message)
  process.exit(1)
})
