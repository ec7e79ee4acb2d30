/**
 * Store keys: a store without a key fails when it is built, with advice; a string key is refused
 * (it could mean base64 or UTF-8); two services set up the documented way, from `pgstore keygen`'s
 * output, accept each other's cookies.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { keygenCommand } from '../../src/cli/keygen.ts'
import type { CliIO } from '../../src/cli/output.ts'
import {
  CookieStore,
  newPGStore,
  newPGStoreFromPool,
  PGStore,
  UsageError,
} from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

let db: TestSchema

before(async () => {
  db = await createTestSchema('key pairs')
})

after(async () => {
  await db.drop()
})

/** What a helpful "no key" error says: bytes, how to decode, where to get a pair. */
function advice(code: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof UsageError, `a UsageError, got ${String(error)}`)
    assert.equal(error.code, code)
    assert.match(error.message, /Buffer\.from\(process\.env\.SESSION_HASH_KEY, 'base64'\)/)
    assert.match(error.message, /pgstore keygen/)
    assert.doesNotMatch(error.message, /codec/)
    return true
  }
}

/** Runs `pgstore keygen` and returns its env lines as a record, as a service would read them. */
async function keygenEnv(): Promise<Record<string, string>> {
  let out = ''
  const io: CliIO = {
    stdout: { write: (t: string) => (out += t) },
    stderr: process.stderr,
    env: {},
  }
  assert.equal(await keygenCommand([], io), 0)
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  )
}

test('a store without a key fails at construction and says what to pass', async () => {
  assert.throws(() => new PGStore(db.pool, []), advice('ERR_HASH_KEY_NOT_SET'))
  assert.throws(() => new PGStore(db.pool, [null, null]), advice('ERR_HASH_KEY_NOT_SET'))
  assert.throws(() => new CookieStore([]), advice('ERR_HASH_KEY_NOT_SET'))
  await assert.rejects(newPGStoreFromPool(db.pool), advice('ERR_HASH_KEY_NOT_SET'))
  await assert.rejects(newPGStoreFromPool(db.pool, { table: 'x' }), advice('ERR_HASH_KEY_NOT_SET'))
  // A closed port: the key check comes first, so no connection is attempted.
  await assert.rejects(newPGStore('postgres://127.0.0.1:1/none'), advice('ERR_HASH_KEY_NOT_SET'))
})

test('a string key is refused, hash or block, wherever it sits', async () => {
  const env = await keygenEnv()
  const text = env.SESSION_HASH_KEY as string
  const bytes = Buffer.from(text, 'base64')
  assert.throws(() => new PGStore(db.pool, [text as never]), advice('ERR_HASH_KEY_NOT_SET'))
  assert.throws(() => new CookieStore([text as never]), advice('ERR_HASH_KEY_NOT_SET'))
  assert.throws(
    () => new PGStore(db.pool, [bytes, env.SESSION_BLOCK_KEY as never]),
    advice('ERR_BLOCK_KEY_INVALID'),
  )
  // The second (older) pair is checked too: a rotation typo must not wait for an old cookie.
  assert.throws(
    () => new PGStore(db.pool, [bytes, null, text as never]),
    (error: UsageError) => error.code === 'ERR_HASH_KEY_NOT_SET' && /key #2/.test(error.message),
  )
  await assert.rejects(
    newPGStoreFromPool(db.pool, text as never, { migrate: false }),
    advice('ERR_HASH_KEY_NOT_SET'),
  )
  // The message names the key's position and type, never its value.
  assert.throws(
    () => new PGStore(db.pool, [text as never]),
    (error: Error) => !error.message.includes(text),
  )
})

test('two services built from the same keygen output accept each other’s cookies', async () => {
  const env = await keygenEnv()
  assert.deepEqual(Object.keys(env), ['SESSION_HASH_KEY', 'SESSION_BLOCK_KEY'])
  // Each service reads the environment on its own, the one documented way.
  const keysOf = (vars: Record<string, string>) => [
    Buffer.from(vars.SESSION_HASH_KEY as string, 'base64'),
    Buffer.from(vars.SESSION_BLOCK_KEY as string, 'base64'),
  ]
  assert.equal(keysOf(env)[0]?.length, 64)
  assert.equal(keysOf(env)[1]?.length, 32)
  const options = { cookie: { secure: false } }
  const serviceA = await newPGStoreFromPool(db.pool, ...keysOf({ ...env }), options)
  const serviceB = await newPGStoreFromPool(db.pool, ...keysOf({ ...env }), options)
  const session = await serviceA.load(undefined, 'sid')
  session.values.user = 'ada'
  const cookie = await serviceA.commit(session)
  assert.ok(cookie)
  const seen = await serviceB.load(cookie, 'sid')
  assert.equal(seen.error, undefined)
  assert.equal(seen.isNew, false)
  assert.equal(seen.values.user, 'ada')
  // A service with another pair does not: the agreement above is the keys', not an accident.
  const other = await keygenEnv()
  const serviceC = await newPGStoreFromPool(db.pool, ...keysOf(other), options)
  assert.equal((await serviceC.load(cookie, 'sid')).error?.code, 'ERR_COOKIE_MAC_INVALID')
})
