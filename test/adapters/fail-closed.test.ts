/**
 * Fail closed, in every adapter that saves by itself: a handler that sets `values.admin = true`
 * and then fails (throws, rejects, `next(err)`, or answers `5xx` itself) leaves the row as it was
 * and sends no session cookie; `saveOnError: true` restores saving. The Fetch adapter saves only
 * when the app calls it, so a throw skips it by the app's own control flow: nothing to test there.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { sessionOf as expressSession, expressSessions } from '../../src/adapters/express.ts'
import { sessionOf as fastifySession, fastifySessions } from '../../src/adapters/fastify.ts'
import { honoSessions, type SessionVariables } from '../../src/adapters/hono.ts'
import { koaSessions } from '../../src/adapters/koa.ts'
import { nodeSessions } from '../../src/adapters/node.ts'
import type { Session, SessionCore, SessionValues } from '../../src/index.ts'
import { type AdapterFixture, adapterFixture, fetchSender, pairOf, type Send } from './helpers.ts'

/** What the apps under test do per path, whatever the framework. */
type Outcome = { status: number; body: Record<string, unknown> } | 'throw' | 'next'

function act(path: string, session: Session<SessionValues>): Outcome {
  const url = new URL(path, 'http://localhost')
  switch (url.pathname) {
    case '/set':
      session.values.value = url.searchParams.get('value')
      return { status: 200, body: {} }
    case '/get':
      return { status: 200, body: { admin: session.values.admin ?? null } }
    case '/throw':
      session.values.admin = true
      return 'throw'
    case '/next':
      session.values.admin = true
      return 'next'
    case '/answer500':
      session.values.admin = true
      return { status: 500, body: { error: 'the handler says it failed' } }
    case '/answer403':
      session.values.admin = true
      return { status: 403, body: {} }
    default:
      return { status: 404, body: {} }
  }
}

interface App {
  send: Send
  close(): Promise<void>
}

type Build = (store: SessionCore, saveOnError: boolean) => Promise<App>

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<App> {
  const server = createServer(handler).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    send: fetchSender(`http://127.0.0.1:${port}`),
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const builds: Record<string, Build> = {
  node: async (store, saveOnError) => {
    const sessions = nodeSessions(store, { saveOnError })
    // node:http has no error handling of its own: the app's wrapper turns a throw into a 500.
    return listen((req, res) => {
      const run = async () => {
        const outcome = act(req.url ?? '/', await sessions(req, res))
        if (typeof outcome === 'string') throw new Error('handler failed')
        res.writeHead(outcome.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(outcome.body))
      }
      run().catch(() => {
        res.statusCode = 500
        res.end('{}')
      })
    })
  },
  express: async (store, saveOnError) => {
    const app = express()
    app.use(expressSessions(store, { saveOnError }))
    app.use(async (req, res, next) => {
      const outcome = act(req.originalUrl, expressSession(req))
      if (outcome === 'throw') throw new Error('handler failed')
      if (outcome === 'next') return next(Object.assign(new Error('forbidden'), { status: 403 }))
      res.status(outcome.status).json(outcome.body)
    })
    // Errors answered by an app's error handler as JSON, so the sender can read the body.
    app.use(((error, _req, res, _next) => {
      res.status((error as { status?: number }).status ?? 500).json({})
    }) as express.ErrorRequestHandler)
    return listen(app)
  },
  fastify: async (store, saveOnError) => {
    const app = Fastify()
    await app.register(fastifySessions, { store, saveOnError })
    app.all('/*', async (request, reply) => {
      const outcome = act(request.url, fastifySession(request))
      if (typeof outcome === 'string') throw new Error('handler failed')
      return reply.code(outcome.status).send(outcome.body)
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    return { send: fetchSender(`http://127.0.0.1:${port}`), close: () => app.close() }
  },
  hono: async (store, saveOnError) => {
    const app = new Hono<{ Variables: SessionVariables }>()
    app.use(honoSessions(store, { saveOnError }))
    app.all('*', async (c) => {
      const url = new URL(c.req.url)
      const outcome = act(url.pathname + url.search, c.get('session'))
      if (typeof outcome === 'string') throw new Error('handler failed')
      return c.json(outcome.body, outcome.status as 200)
    })
    app.onError((_error, c) => c.json({}, 500))
    return {
      send: async (path, cookie) => {
        const res = await app.request(path, { headers: cookie ? { cookie } : {} })
        return {
          status: res.status,
          headers: res.headers,
          setCookies: res.headers.getSetCookie(),
          body: (await res.json()) as Record<string, unknown>,
        }
      },
      close: async () => {},
    }
  },
  koa: async (store, saveOnError) => {
    const app = new Koa().use(koaSessions(store, { saveOnError }))
    app.silent = true
    app.use(async (ctx) => {
      const outcome = act(ctx.url, ctx.session)
      if (typeof outcome === 'string') throw new Error('handler failed')
      ctx.status = outcome.status
      ctx.body = outcome.body
    })
    return listen(app.callback())
  },
}

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('fail closed')
})
after(() => fx.close())

/** The row of `id` as stored: its data and expiry, to compare before and after. */
async function row(id: string): Promise<unknown> {
  const result = await fx.db.query(
    'SELECT encode(data::bytea, $2) AS data, modified_on FROM http_sessions WHERE key = $1',
    [id, 'hex'],
  )
  return result.rows[0]
}

async function sessionId(cookie: string): Promise<string> {
  const header = cookie
  const session = await fx.store.load(header, 'session')
  assert.equal(session.isNew, false)
  return session.id
}

for (const [label, build] of Object.entries(builds)) {
  const failures =
    label === 'express' ? ['/throw', '/next', '/answer500'] : ['/throw', '/answer500']

  test(`${label}: a handler that sets values.admin and then fails saves nothing and sends no cookie`, async () => {
    const app = await build(fx.store, false)
    try {
      const first = await app.send('/set?value=ada')
      const cookie = pairOf(first.setCookies[0])
      const id = await sessionId(cookie)
      const before = await row(id)
      assert.ok(before)
      for (const path of failures) {
        const mark = fx.mark()
        const reply = await app.send(path, cookie)
        assert.ok(reply.status >= 400, `${path} answered ${reply.status}`)
        assert.deepEqual(reply.setCookies, [], `${path} sent a session cookie`)
        assert.deepEqual(fx.writesSince(mark), [], `${path} wrote`)
        assert.deepEqual(await row(id), before, `${path} changed the row`)
        // A failed first request (no cookie yet) creates no row either.
        const fresh = await app.send(path)
        assert.deepEqual(fresh.setCookies, [], `${path} without a cookie sent one`)
        assert.deepEqual(fx.writesSince(mark), [], `${path} without a cookie wrote`)
      }
      assert.deepEqual((await app.send('/get', cookie)).body, { admin: null })
    } finally {
      await app.close()
    }
  })

  test(`${label}: a 4xx the handler chose is an answer, not a failure: it is saved`, async () => {
    const app = await build(fx.store, false)
    try {
      const reply = await app.send('/answer403')
      assert.equal(reply.status, 403)
      const cookie = pairOf(reply.setCookies[0])
      assert.deepEqual((await app.send('/get', cookie)).body, { admin: true })
    } finally {
      await app.close()
    }
  })

  test(`${label}: saveOnError: true saves a failed request's change and sends its cookie`, async () => {
    const app = await build(fx.store, true)
    try {
      const first = await app.send('/set?value=ada')
      const cookie = pairOf(first.setCookies[0])
      for (const path of failures) {
        const reply = await app.send(path)
        assert.ok(reply.status >= 400)
        const renewed = pairOf(reply.setCookies[0])
        assert.deepEqual((await app.send('/get', renewed)).body, { admin: true }, path)
      }
      await app.send('/throw', cookie)
      assert.deepEqual((await app.send('/get', cookie)).body, { admin: true })
    } finally {
      await app.close()
    }
  })
}

test('saveOnError must be a boolean', () => {
  assert.throws(
    () => nodeSessions(fx.store, { saveOnError: 'yes' as unknown as boolean }),
    (error: Error & { code?: string }) => error.code === 'ERR_INVALID_OPTION',
  )
})
