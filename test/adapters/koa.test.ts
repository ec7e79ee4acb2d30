/**
 * The Koa middleware on a real socket: the shared adapter suite, then a downstream error (the
 * session is not saved) and a failed save (Koa's 500).
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import Koa from 'koa'
import { koaSessions } from '../../src/adapters/koa.ts'
import { type SessionCore, StoreError } from '../../src/index.ts'
import {
  type AdapterFixture,
  adapterFixture,
  adapterSuite,
  fetchSender,
  pairOf,
  route,
} from './helpers.ts'

async function serve(app: Pick<Koa, 'callback' | 'silent'>) {
  app.silent = true
  const server = createServer(app.callback()).listen(0, '127.0.0.1')
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

adapterSuite('koa', async (store) => {
  const app = new Koa().use(koaSessions(store))
  app.use(async (ctx) => {
    const result = await route(ctx.url, ctx.session)
    ctx.status = result.status
    ctx.body = result.body
  })
  return serve(app)
})

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('koa extra')
})
after(() => fx.close())

test('koa: ctx.session is typed through app.use, and a throwing handler saves nothing', async () => {
  const app = new Koa().use(koaSessions<{ n: number }>(fx.store))
  app.use(async (ctx) => {
    ctx.session.values.n = (ctx.session.values.n ?? 0) + 1
    if (ctx.path === '/boom') throw new Error('handler failed')
    ctx.body = { n: ctx.session.values.n }
  })
  const server = await serve(app)
  try {
    const first = await server.send('/')
    assert.deepEqual(first.body, { n: 1 })
    const cookie = pairOf(first.setCookies[0])
    const mark = fx.mark()
    const boom = await server.send('/boom', cookie)
    assert.equal(boom.status, 500)
    assert.deepEqual(boom.setCookies, [])
    assert.deepEqual(fx.writesSince(mark), [])
    assert.deepEqual((await server.send('/', cookie)).body, { n: 2 })
  } finally {
    await server.close()
  }
})

test('koa: a failed save is a 500 through Koa, never a silent success', async () => {
  const failing: SessionCore = {
    load: (header, name, context) => fx.store.load(header, name, context),
    commit: async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'down')
    },
  }
  const errors: unknown[] = []
  const app = new Koa().use(koaSessions(failing))
  app.on('error', (error) => errors.push(error))
  app.use(async (ctx) => {
    ctx.session.values.n = 1
    ctx.body = 'saved'
  })
  app.silent = false
  const server = await serve(app)
  try {
    const reply = await server.send('/')
    assert.equal(reply.status, 500)
    assert.deepEqual(reply.setCookies, [])
    assert.ok(errors[0] instanceof StoreError)
  } finally {
    await server.close()
  }
})
