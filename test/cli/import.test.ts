/**
 * `pgstore import --from connect-pg-simple` end to end: a real Express app on express-session +
 * connect-pg-simple with three users signed in over HTTP, the import, the same app switched to
 * `pgstore/express-session` (same secret): the users are still signed in with their data. Then
 * the import again (idempotent) with the old app still running and writing: sessions the new app
 * saved are kept, sessions only the old app changed are refreshed, new old-app sessions come in.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import connectPgSimple from 'connect-pg-simple'
import express from 'express'
import session from 'express-session'
import { expressSessionStore } from '../../src/adapters/express-session.ts'
import { newPGStoreFromPool, type PGStore } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { assertOneLineError, cli } from './helpers.ts'

const secret = 'the-express-session-secret-which-does-not-change'
const hashKey = randomBytes(64)
const blockKey = randomBytes(32)
const keyEnv = {
  SESSION_HASH_KEY: hashKey.toString('base64'),
  SESSION_BLOCK_KEY: blockKey.toString('base64'),
}

let db: TestSchema
let store: PGStore
let oldApp: string
let newApp: string
const servers: Server[] = []

/** The app both stores serve: sign in as `user`, then each visit counts. */
async function serve(sessionStore: session.Store): Promise<string> {
  const app = express()
  app.use(
    session({
      secret,
      store: sessionStore,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 3_600_000 },
    }),
  )
  const data = (req: express.Request) => req.session as unknown as Record<string, unknown>
  app.post('/login', (req, res) => {
    Object.assign(data(req), { user: String(req.query.user), visits: 0 })
    res.send('ok')
  })
  app.get('/', (req, res) => {
    const visits = Number(data(req).visits ?? 0) + 1
    data(req).visits = visits
    res.send(`hello ${data(req).user ?? 'guest'}, visit ${visits}`)
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Signs `user` in on `base` and returns the cookie pair the browser keeps. */
async function login(base: string, user: string): Promise<string> {
  const res = await fetch(`${base}/login?user=${user}`, { method: 'POST' })
  assert.equal(res.status, 200)
  // express-session sends the headers and all but the body's last byte before its store has
  // saved: only the whole body says the session is in the table.
  assert.equal(await res.text(), 'ok')
  const pair = res.headers.getSetCookie()[0]?.split(';')[0]
  assert.match(pair ?? '', /^connect\.sid=s%3A/)
  return pair ?? ''
}

async function visit(base: string, cookie: string): Promise<string> {
  const res = await fetch(`${base}/`, { headers: { cookie } })
  assert.equal(res.status, 200)
  return res.text()
}

async function runImport(...extra: string[]) {
  const run = await cli(
    ['import', '--from', 'connect-pg-simple', '--schema', db.schema, '--json', ...extra],
    keyEnv,
  )
  assert.equal(run.code, 0, run.stderr)
  return { report: JSON.parse(run.stdout), stderr: run.stderr }
}

const rows = async () =>
  (await db.query('SELECT count(*)::int AS n FROM http_sessions')).rows[0].n as number

before(async () => {
  db = await createTestSchema('cli import')
  store = await newPGStoreFromPool(db.pool, hashKey, blockKey)
  const PgSimple = connectPgSimple(session)
  const old = new PgSimple({ pool: db.pool, schemaName: db.schema, createTableIfMissing: true })
  // connect-pg-simple creates its table on its first query.
  await new Promise((resolve, reject) =>
    old.get('warm-up', (error) => (error ? reject(error) : resolve(undefined))),
  )
  oldApp = await serve(old)
  const PgSessionStore = expressSessionStore(session)
  newApp = await serve(new PgSessionStore({ store }))
})

after(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
  await store.close()
  await db.drop()
})

test('users signed in on connect-pg-simple stay signed in after the import and the switch', async () => {
  const cookies: Record<string, string> = {}
  for (const user of ['alice', 'bob', 'carol']) {
    cookies[user] = await login(oldApp, user)
    assert.equal(await visit(oldApp, cookies[user] ?? ''), `hello ${user}, visit 1`)
  }
  const cookie = (user: string) => cookies[user] ?? ''

  // Without the import, the switch signs everyone out: the failure this command exists for.
  assert.equal(await visit(newApp, cookie('alice')), 'hello guest, visit 1')
  await db.query('DELETE FROM http_sessions')

  const dry = await runImport('--dry-run')
  assert.deepEqual([dry.report.read, dry.report.inserted, dry.report.dryRun], [3, 3, true])
  assert.equal(await rows(), 0, '--dry-run writes nothing')

  const first = await runImport()
  assert.deepEqual(
    [first.report.read, first.report.inserted, first.report.updated, first.report.kept],
    [3, 3, 0, 0],
  )
  assert.match(first.stderr, /^import: batch 1: 3 read, 3 inserted/)
  // The switch: same cookies, same secret, the new store. Signed in, data intact.
  assert.equal(await visit(newApp, cookie('alice')), 'hello alice, visit 2')
  assert.equal(await visit(newApp, cookie('bob')), 'hello bob, visit 2')

  // The old app still runs (a rolling deploy): alice and carol use it, dave signs in there.
  await sleep(1100) // connect-pg-simple stores expiry in whole seconds
  assert.equal(await visit(oldApp, cookie('alice')), 'hello alice, visit 2')
  assert.equal(await visit(oldApp, cookie('carol')), 'hello carol, visit 2')
  cookies.dave = await login(oldApp, 'dave')

  const second = await runImport()
  // dave is new; carol was only changed by the old app since (refreshed); alice and bob were
  // saved by the new app, whose copies win.
  assert.deepEqual(
    [second.report.read, second.report.inserted, second.report.updated, second.report.kept],
    [4, 1, 1, 2],
  )
  assert.equal(await visit(newApp, cookie('alice')), 'hello alice, visit 3')
  assert.equal(await visit(newApp, cookie('bob')), 'hello bob, visit 3')
  assert.equal(await visit(newApp, cookie('carol')), 'hello carol, visit 3')
  assert.equal(await visit(newApp, cookie('dave')), 'hello dave, visit 1')

  // A third run changes nothing.
  const third = await runImport()
  assert.deepEqual([third.report.inserted, third.report.updated, third.report.kept], [0, 0, 4])
  assert.equal(await visit(newApp, cookie('alice')), 'hello alice, visit 4')
})

test('import reads in keyset batches while the old app writes, skips bad and expired rows', async () => {
  await db.query('DELETE FROM http_sessions')
  await db.query('DELETE FROM session')
  const expires = new Date(Date.now() + 3_600_000).toISOString()
  await db.query(
    `INSERT INTO session (sid, sess, expire)
     SELECT 'bulk-' || lpad(i::text, 4, '0'), json_build_object('cookie',
       json_build_object('expires', $1::text), 'n', i), now() + interval '1 hour'
     FROM generate_series(1, 250) AS i`,
    [expires],
  )
  await db.query(
    `INSERT INTO session (sid, sess, expire) VALUES
     ('bulk-bad', '"not an object"', now() + interval '1 hour'),
     ('bulk-old', '{"n": 0}', now() - interval '1 second')`,
  )
  // The old app keeps signing users in while the import runs.
  let writing = true
  const signedIn: string[] = []
  const writer = (async () => {
    while (writing) signedIn.push(await login(oldApp, `u${signedIn.length}`))
  })()
  const { report, stderr } = await runImport('--batch', '100')
  writing = false
  await writer

  assert.equal(report.skipped, 1, 'the row whose sess is not an object')
  assert.ok(report.read >= 251, `read ${report.read}`)
  assert.equal(report.inserted, report.read - 1)
  // One progress line per batch; 251 rows and the concurrent sign-ins at 100 a batch.
  const progress = stderr.split('\n').filter((l: string) => l.startsWith('import: batch'))
  assert.equal(progress.length, report.batches)
  assert.ok(report.batches >= 3 && report.batches >= Math.ceil(report.read / 100))
  const PgSessionStore = expressSessionStore(session)
  const reader = new PgSessionStore({ store })
  assert.deepEqual((await reader.get('bulk-0042'))?.n, 42)
  assert.equal(await reader.get('bulk-old'), null, 'expired rows are not copied')
  assert.equal(await reader.get('bulk-bad'), null)

  // Whatever the old app wrote after the cursor passed is picked up by the next run.
  const again = await runImport('--batch', '100')
  assert.equal(again.report.inserted + report.inserted, 250 + signedIn.length)
})

test('import fails with one clear line: usage, missing keys, missing source table', async () => {
  const base = ['import', '--schema', db.schema]
  assertOneLineError(await cli(base, keyEnv), 2, /--from must be connect-pg-simple/)
  const noKey = await cli([...base, '--from', 'connect-pg-simple'], {
    SESSION_HASH_KEY: undefined,
  })
  assertOneLineError(noKey, 2, /set SESSION_HASH_KEY/)
  const badKey = await cli([...base, '--from', 'connect-pg-simple'], {
    SESSION_HASH_KEY: 'not base64!',
  })
  assertOneLineError(badKey, 2, /SESSION_HASH_KEY is not base64/)
  const missing = await cli([...base, '--from', 'connect-pg-simple', '--table', 'nope'], keyEnv)
  assertOneLineError(missing, 1, /connect-pg-simple's table ".*"\."nope" does not exist/)
  assert.ok(!missing.stderr.includes(keyEnv.SESSION_HASH_KEY))
})
