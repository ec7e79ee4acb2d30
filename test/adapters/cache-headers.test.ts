/**
 * The cache headers of a response that sets a session cookie, on every path that sets one:
 * `Vary: Cookie` merged with the app's `Vary` (also when the app passes it to `writeHead`, as an
 * object or a list), `Cache-Control: no-store` replacing an app's `public` (the cookie wins), an
 * app's `private` or `no-store` kept, and the core `store.save()` adding the same headers.
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
import { fetchSessions } from '../../src/adapters/fetch.ts'
import { honoSessions, type SessionVariables } from '../../src/adapters/hono.ts'
import { koaSessions } from '../../src/adapters/koa.ts'
import { nodeSessions } from '../../src/adapters/node.ts'
import { privateCacheHeaders } from '../../src/store/http.ts'
import {
  type AdapterFixture,
  adapterFixture,
  fetchSender,
  type Reply,
  type Send,
} from './helpers.ts'

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('cache headers')
})
after(() => fx.close())

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  run: (send: Send) => Promise<void>,
): Promise<void> {
  const server = createServer(handler).listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    await run(fetchSender(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** The app's own cache headers for a path: `/public`, `/private`, or none. */
function appHeaders(path: string): Record<string, string> {
  const vary = { vary: 'Accept-Encoding' }
  if (path.startsWith('/public')) return { ...vary, 'cache-control': 'public, max-age=60' }
  if (path.startsWith('/private')) return { ...vary, 'cache-control': 'private, max-age=60' }
  return vary
}

function assertPrivate(reply: Reply, cacheControl = 'no-store'): void {
  assert.equal(reply.setCookies.filter((line) => line.startsWith('session=')).length, 1)
  assert.equal(reply.headers.get('cache-control'), cacheControl)
  assert.equal(reply.headers.get('vary'), 'Accept-Encoding, Cookie')
}

/** The checks every adapter passes: the app's `public` loses, its `private` stays, Vary merges. */
async function checkAdapter(send: Send): Promise<void> {
  assertPrivate(await send('/public'))
  assertPrivate(await send('/private'), 'private, max-age=60')
  assertPrivate(await send('/plain'))
}

test('privateCacheHeaders: which app Cache-Control values stand when a session cookie is set', () => {
  const cases: Array<[string | undefined, string | undefined, boolean]> = [
    [undefined, 'no-store', false],
    ['public, max-age=60', 'no-store', true],
    ['max-age=60', 'no-store', true],
    ['no-cache', 'no-store', true],
    ['s-maxage=600', 'no-store', true],
    ['private="set-cookie"', 'no-store', true],
    ['private, max-age=60', undefined, false],
    ['No-Store', undefined, false],
    ['public, no-store', undefined, false],
  ]
  for (const [cacheControl, expected, overridden] of cases) {
    const change = privateCacheHeaders({ cacheControl, vary: undefined })
    assert.equal(change.cacheControl, expected, String(cacheControl))
    assert.equal(change.cacheControlOverridden === true, overridden, String(cacheControl))
  }
  assert.equal(privateCacheHeaders({ cacheControl: 'x', vary: 'Accept, cookie' }).vary, undefined)
  assert.equal(privateCacheHeaders({ cacheControl: 'x', vary: '*' }).vary, undefined)
  assert.equal(privateCacheHeaders({ cacheControl: 'x', vary: 'Accept' }).vary, 'Accept, Cookie')
})

test('node: writeHead(status, headers) merges its Vary, Set-Cookie and Cache-Control with ours', async () => {
  const sessions = nodeSessions(fx.store)
  await listen(
    (req, res) => {
      void (async () => {
        const session = await sessions(req, res)
        session.values.seen = true
        const path = req.url ?? '/'
        if (path === '/list') {
          res.writeHead(200, 'OK', ['Vary', 'Accept-Encoding', 'Set-Cookie', 'app=1'])
          res.end('{}')
          return
        }
        if (path === '/object-cookie') {
          res.writeHead(200, { ...appHeaders('/public'), 'set-cookie': ['app=1', 'other=2'] })
          res.end('{}')
          return
        }
        res.writeHead(200, appHeaders(path))
        res.end('{}')
      })()
    },
    async (send) => {
      await checkAdapter(send)
      const list = await send('/list')
      assertPrivate(list)
      assert.ok(list.setCookies.includes('app=1'), 'the app cookie of a header list is kept')
      const object = await send('/object-cookie')
      assertPrivate(object)
      assert.deepEqual(object.setCookies.slice(0, 2), ['app=1', 'other=2'])
    },
  )
})

test('express: the app’s Vary is merged and its public Cache-Control gives way', async () => {
  const app = express()
  app.use(expressSessions(fx.store))
  app.use((req, res) => {
    expressSession(req).values.seen = true
    res.set(appHeaders(req.path)).json({})
  })
  await listen(app, checkAdapter)
})

test('fastify: the app’s Vary is merged and its public Cache-Control gives way', async () => {
  const app = Fastify()
  await app.register(fastifySessions, { store: fx.store })
  app.all('/*', async (request, reply) => {
    fastifySession(request).values.seen = true
    return reply.headers(appHeaders(request.url)).send({})
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    await checkAdapter(
      fetchSender(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`),
    )
  } finally {
    await app.close()
  }
})

test('hono: the app’s Vary is merged and its public Cache-Control gives way', async () => {
  const app = new Hono<{ Variables: SessionVariables }>()
  app.use(honoSessions(fx.store))
  app.all('*', (c) => {
    c.get('session').values.seen = true
    return c.json({}, 200, appHeaders(c.req.path))
  })
  await checkAdapter(async (path) => {
    const res = await app.request(path)
    return {
      status: res.status,
      headers: res.headers,
      setCookies: res.headers.getSetCookie(),
      body: {},
    }
  })
})

test('koa: the app’s Vary is merged and its public Cache-Control gives way', async () => {
  const app = new Koa().use(koaSessions(fx.store))
  app.use((ctx) => {
    ctx.session.values.seen = true
    ctx.set(appHeaders(ctx.path))
    ctx.body = {}
  })
  await listen(app.callback(), checkAdapter)
})

test('fetch: setCookies merges the Vary and overrides public on the Response', async () => {
  const sessions = fetchSessions(fx.store)
  await checkAdapter(async (path) => {
    const request = new Request(new URL(path, 'http://localhost'))
    const session = await sessions.getSession(request)
    session.values.seen = true
    const response = Response.json({}, { headers: appHeaders(path) })
    await sessions.setCookies(session, response, request)
    return {
      status: response.status,
      headers: response.headers,
      setCookies: response.headers.getSetCookie(),
      body: {},
    }
  })
})

test('store.save(req, res, session) adds no-store and Vary: Cookie to a node response and to Headers', async () => {
  await listen(
    (req, res) => {
      void (async () => {
        const session = await fx.store.get(req, 'session')
        session.values.seen = true
        res.setHeader('vary', 'Accept-Encoding')
        if (req.url === '/public') res.setHeader('cache-control', 'public, max-age=60')
        await fx.store.save(req, res, session)
        res.end('{}')
      })()
    },
    async (send) => {
      assertPrivate(await send('/public'))
      assertPrivate(await send('/plain'))
    },
  )
  const headers = new Headers({ vary: 'Accept-Encoding', 'cache-control': 'public' })
  const session = await fx.store.new(new Headers(), 'session')
  session.values.seen = true
  await fx.store.save(new Headers(), headers, session)
  assert.equal(headers.getSetCookie().length, 1)
  assert.equal(headers.get('cache-control'), 'no-store')
  assert.equal(headers.get('vary'), 'Accept-Encoding, Cookie')
})
