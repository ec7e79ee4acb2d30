/**
 * @module pgstore through its framework adapters: node:http (`nodeSessions`), Express
 * (`expressSessions`), Fastify (`fastifySessions`), Hono (`honoSessions`, on `@hono/node-server`)
 * and Koa (`koaSessions`). Each saves every loaded session automatically; an unchanged one writes
 * nothing. Each is compared with the floor of its own framework (`framework-floors.ts`).
 */
import { createServer } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import express, { type NextFunction, type Request, type Response } from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { expressSessions } from '../../src/adapters/express.ts'
import { createFastifySessions } from '../../src/adapters/fastify.ts'
import { honoSessions, type SessionVariables } from '../../src/adapters/hono.ts'
import { koaSessions } from '../../src/adapters/koa.ts'
import { nodeSessions } from '../../src/adapters/node.ts'
import { newPGStoreFromPool } from '../../src/pg/new-pg-store.ts'
import type { PGStore } from '../../src/pg/pg-store.ts'
import type { Session } from '../../src/session/session.ts'
import { setupPgstore } from './pgstore-http.ts'
import { benchPool, counterOf, listen, running, runningFastify } from './shared.ts'
import type { Place, RunningApp, Secrets, Variant } from './types.ts'

type Values = { counter: number }

/** The app: what each route does to the session; returns the body. */
function route(path: string | undefined, session: Session<Values>): string {
  if (path === '/new') session.values.counter = 0
  else if (path === '/incr') session.values.counter = counterOf(session.values) + 1
  return String(counterOf(session.values))
}

async function openStore(place: Place, secrets: Secrets) {
  const pool = benchPool(place)
  const store = await newPGStoreFromPool(pool, secrets.hashKey, secrets.blockKey, {
    schema: place.schema,
    migrate: false,
    cookie: { secure: false },
  })
  const end = async () => {
    await store.close()
    await pool.end()
  }
  return { store, end }
}

function adapterVariant(
  name: string,
  label: string,
  serve: (
    store: PGStore,
  ) => Promise<{ app: RunningApp } | { server: ReturnType<typeof createServer> }>,
): Variant {
  return {
    name,
    label,
    setup: setupPgstore,
    async start(place, secrets) {
      const { store, end } = await openStore(place, secrets)
      const served = await serve(store)
      if ('app' in served) {
        const close = served.app.close
        const closeBoth = async () => {
          await close()
          await end()
        }
        return { ...served.app, close: closeBoth }
      }
      return running(served.server, await listen(served.server), end)
    },
  }
}

/** `nodeSessions` on node:http. */
export const pgstoreNode: Variant = adapterVariant(
  'pgstore-node',
  'pgstore: node adapter (nodeSessions)',
  async (store) => {
    const sessions = nodeSessions<Values>(store, { name: 'sid' })
    const server = createServer((req, res) => {
      sessions(req, res)
        .then((session) => res.end(route(req.url, session)))
        .catch(() => {
          res.statusCode = 500
          res.end()
        })
    })
    return { server }
  },
)

/** `expressSessions` on Express 5. */
export const pgstoreExpress: Variant = adapterVariant(
  'pgstore-express',
  'pgstore: Express adapter (expressSessions)',
  async (store) => {
    const app = express()
    const sessions = expressSessions<Values>(store, { name: 'sid' })
    app.use(sessions)
    app.get(['/new', '/read', '/incr'], (req, res) => {
      res.send(route(req.path, sessions.of(req)))
    })
    app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).end()
    })
    return { server: createServer(app) }
  },
)

/** `fastifySessions` on Fastify 5. */
export const pgstoreFastify: Variant = adapterVariant(
  'pgstore-fastify',
  'pgstore: Fastify adapter (fastifySessions)',
  async (store) => {
    const app = Fastify({ logger: false })
    const sessions = createFastifySessions<Values>({ store, name: 'sid' })
    await app.register(sessions)
    for (const path of ['/new', '/read', '/incr']) {
      app.get(path, async (request) => route(path, sessions.of(request)))
    }
    return { app: await runningFastify(app, async () => undefined) }
  },
)

/** `honoSessions` on Hono, served by `@hono/node-server`. */
export const pgstoreHono: Variant = adapterVariant(
  'pgstore-hono',
  'pgstore: Hono adapter (honoSessions, @hono/node-server)',
  async (store) => {
    const app = new Hono<{ Variables: SessionVariables<Values> }>()
    app.use(honoSessions<Values>(store, { name: 'sid' }))
    app.get('*', (c) => c.text(route(c.req.path, c.get('session'))))
    app.onError((_error, c) => c.body(null, 500))
    return { server: createAdaptorServer({ fetch: app.fetch }) as ReturnType<typeof createServer> }
  },
)

/** `koaSessions` on Koa. */
export const pgstoreKoa: Variant = adapterVariant(
  'pgstore-koa',
  'pgstore: Koa adapter (koaSessions)',
  async (store) => {
    const app = new Koa()
    app.silent = true
    app.use(koaSessions<Values>(store, { name: 'sid' }))
    app.use((ctx) => {
      ctx.body = route(ctx.path, ctx.session)
    })
    return { server: createServer(app.callback()) }
  },
)
