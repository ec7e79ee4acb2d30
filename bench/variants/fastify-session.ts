/**
 * @module The Fastify incumbent: @fastify/session + @fastify/cookie with connect-pg-simple as its
 * store, with @fastify/session's defaults (`saveUninitialized` and `rolling` true: every request
 * that carries a cookie writes).
 */
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import Fastify from 'fastify'
import { pgSimpleStore, setupPgSimple } from './connect-pg-simple.ts'
import { benchPool, counterOf, runningFastify } from './shared.ts'
import type { Variant } from './types.ts'

/** @fastify/session with its defaults. */
export const fastifySessionDefaults: Variant = {
  name: 'fastify-session',
  label: '@fastify/session + connect-pg-simple (defaults)',
  setup: setupPgSimple,
  async start(place, secrets) {
    const pool = benchPool(place)
    const PgStore = pgSimpleStore(fastifySession)
    const store = new PgStore({
      pool,
      schemaName: place.schema,
      tableName: 'session',
      errorLog: () => undefined,
    })
    const app = Fastify({ logger: false })
    await app.register(fastifyCookie)
    await app.register(fastifySession, {
      secret: secrets.secret,
      store: store as unknown as fastifySession.SessionStore,
      cookie: { secure: false },
    })
    // Untyped access: typing `counter` would mean augmenting fastify's global Session interface.
    type Loose = { get(key: string): unknown; set(key: string, value: unknown): void }
    const sessionOf = (request: { session: unknown }) => request.session as Loose
    app.get('/new', async (request) => {
      sessionOf(request).set('counter', 0)
      return '0'
    })
    app.get('/read', async (request) =>
      String(counterOf({ counter: sessionOf(request).get('counter') })),
    )
    app.get('/incr', async (request) => {
      const session = sessionOf(request)
      const next = counterOf({ counter: session.get('counter') }) + 1
      session.set('counter', next)
      return String(next)
    })
    return runningFastify(app, async () => {
      await store.close()
      await pool.end()
    })
  },
}
