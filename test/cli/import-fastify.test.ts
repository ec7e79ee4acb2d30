/**
 * `pgstore import` for @fastify/session: a Fastify app on @fastify/session + connect-pg-simple
 * with a user signed in over HTTP, the import, the app switched to `pgstore/express-session`'s
 * store (same secret): still signed in, with the data.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import connectPgSimple from 'connect-pg-simple'
import session from 'express-session'
import Fastify, { type FastifyInstance } from 'fastify'
import { expressSessionStore } from '../../src/adapters/express-session.ts'
import { newPGStoreFromPool, type PGStore } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { cli } from './helpers.ts'

const secret = 'a-fastify-session-secret-of-32-characters-or-more'
const hashKey = randomBytes(64)
const blockKey = randomBytes(32)

let db: TestSchema
let store: PGStore
const apps: FastifyInstance[] = []

async function serve(sessionStore: fastifySession.SessionStore): Promise<string> {
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret,
    store: sessionStore,
    saveUninitialized: false,
    cookie: { secure: false, maxAge: 3_600_000 },
  })
  app.post('/login', async (request) => {
    request.session.set('user' as never, (request.query as { user: string }).user as never)
    return 'ok'
  })
  app.get(
    '/',
    async (request) => `hello ${String(request.session.get('user' as never) ?? 'guest')}`,
  )
  apps.push(app)
  return app.listen({ port: 0, host: '127.0.0.1' })
}

before(async () => {
  db = await createTestSchema('cli import fastify')
  store = await newPGStoreFromPool(db.pool, hashKey, blockKey)
})
after(async () => {
  for (const app of apps) await app.close()
  await store.close()
  await db.drop()
})

test('@fastify/session: a user signed in on connect-pg-simple stays signed in after the switch', async () => {
  const PgSimple = connectPgSimple(session)
  const old = new PgSimple({ pool: db.pool, schemaName: db.schema, createTableIfMissing: true })
  // connect-pg-simple's types describe an express-session store; @fastify/session calls the same
  // get/set/destroy.
  const oldApp = await serve(old as unknown as fastifySession.SessionStore)
  const login = await fetch(`${oldApp}/login?user=ada`, { method: 'POST' })
  const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? ''
  assert.match(cookie, /^sessionId=/)
  assert.equal(await (await fetch(oldApp, { headers: { cookie } })).text(), 'hello ada')

  const PgSessionStore = expressSessionStore(session)
  const newApp = await serve(new PgSessionStore({ store }))
  assert.equal(await (await fetch(newApp, { headers: { cookie } })).text(), 'hello guest')

  const run = await cli(
    ['import', '--from', 'connect-pg-simple', '--schema', db.schema, '--json'],
    {
      SESSION_HASH_KEY: hashKey.toString('base64'),
      SESSION_BLOCK_KEY: blockKey.toString('base64'),
    },
  )
  assert.equal(run.code, 0, run.stderr)
  assert.equal(JSON.parse(run.stdout).inserted, 1)
  assert.equal(await (await fetch(newApp, { headers: { cookie } })).text(), 'hello ada')
})
