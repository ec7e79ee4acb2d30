/**
 * The Express 5 middleware on a real socket: the shared adapter suite, then redirects, load
 * errors going to `next(err)`, and the typed accessor.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import express, { type ErrorRequestHandler, type Express } from 'express'
import { expressSessions, sessionOf } from '../../src/adapters/express.ts'
import { type SessionCore, StoreError, UsageError } from '../../src/index.ts'
import {
  type AdapterFixture,
  adapterFixture,
  adapterSuite,
  fetchSender,
  pairOf,
  route,
} from './helpers.ts'

async function serve(app: Express) {
  const server = app.listen(0, '127.0.0.1')
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

adapterSuite('express', async (store) => {
  const app = express()
  app.use(expressSessions(store))
  app.use(async (req, res) => {
    const result = await route(req.originalUrl, sessionOf(req))
    res.status(result.status).json(result.body)
  })
  return serve(app)
})

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('express extra')
})
after(() => fx.close())

test('express: res.redirect after a change carries the cookie', async () => {
  const app = express()
  const sessions = expressSessions<{ user: string }>(fx.store, { name: 'sid' })
  app.use(sessions)
  app.get('/login', (req, res) => {
    sessions.of(req).values.user = 'ada'
    res.redirect(303, '/me')
  })
  app.get('/me', (req, res) => {
    res.json({ user: sessions.of(req).values.user ?? null })
  })
  const server = await serve(app)
  try {
    const login = await server.send('/login')
    assert.equal(login.status, 303)
    const cookie = pairOf(login.setCookies[0])
    assert.match(cookie, /^sid=/)
    assert.equal(login.headers.get('location'), '/me')
    const me = await server.send('/me', cookie)
    assert.deepEqual(me.body, { user: 'ada' })
    assert.deepEqual(me.setCookies, [])
  } finally {
    await server.close()
  }
})

test('express: a failed load goes to next(err) and the error handler', async () => {
  const broken: SessionCore = {
    load: async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'down')
    },
    commit: async () => undefined,
  }
  const app = express()
  app.use(expressSessions(broken))
  app.get('/', (_req, res) => {
    res.send('handler ran')
  })
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(503).json({ code: (error as StoreError).code })
  }
  app.use(onError)
  const server = await serve(app)
  try {
    const reply = await server.send('/')
    assert.equal(reply.status, 503)
    assert.deepEqual(reply.body, { code: 'ERR_STORE_UNAVAILABLE' })
  } finally {
    await server.close()
  }
})

test('express: sessionOf without the middleware is a UsageError', async () => {
  const app = express()
  let caught: unknown
  let caughtTyped: unknown
  const mine = expressSessions<{ n: number }>(fx.store, { name: 'mine' })
  const other = expressSessions(fx.store, { name: 'other' })
  app.get('/', (req, res) => {
    try {
      sessionOf(req)
    } catch (error) {
      caught = error
    }
    res.end()
  })
  // A session from another middleware instance is not this accessor's `Session<{ n: number }>`.
  app.get('/other', other, (req, res) => {
    try {
      mine.of(req)
    } catch (error) {
      caughtTyped = error
    }
    res.json({ untyped: sessionOf(req).name })
  })
  const server = await serve(app)
  try {
    await server.send('/')
    assert.ok(caught instanceof UsageError && caught.code === 'ERR_INVALID_SESSION')
    const res = await server.send('/other')
    assert.deepEqual(res.body, { untyped: 'other' })
    assert.ok(caughtTyped instanceof UsageError && caughtTyped.code === 'ERR_INVALID_SESSION')
  } finally {
    await server.close()
  }
})
