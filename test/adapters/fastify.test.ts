/**
 * The Fastify 5 plugin with `inject`: the shared adapter suite, then plugin metadata, a failed
 * save going to Fastify's error handler, and `session.save()` inside a route.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import Fastify from 'fastify'
import { createFastifySessions, fastifySessions, sessionOf } from '../../src/adapters/fastify.ts'
import { type SessionCore, StoreError, UsageError } from '../../src/index.ts'
import {
  type AdapterFixture,
  adapterFixture,
  adapterSuite,
  pairOf,
  route,
  type Send,
  toHeaders,
} from './helpers.ts'

function sender(app: ReturnType<typeof Fastify>): Send {
  return async (path, cookie) => {
    const res = await app.inject({ url: path, headers: cookie ? { cookie } : {} })
    const headers = toHeaders(res.headers)
    return {
      status: res.statusCode,
      headers,
      setCookies: headers.getSetCookie(),
      body: res.body.startsWith('{') ? JSON.parse(res.body) : {},
    }
  }
}

adapterSuite('fastify', async (store) => {
  const app = Fastify()
  await app.register(fastifySessions, { store })
  app.all('/*', async (request, reply) => {
    const result = await route(request.url, sessionOf(request))
    return reply.code(result.status).send(result.body)
  })
  await app.ready()
  return { send: sender(app), close: () => app.close() }
})

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('fastify extra')
})
after(() => fx.close())

test('fastify: the plugin carries fastify-plugin metadata (name pgstore, fastify 5.x)', () => {
  const meta = (fastifySessions as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')]
  assert.deepEqual(meta, { fastify: '5.x', name: 'pgstore' })
  assert.equal(
    (fastifySessions as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')],
    true,
  )
})

test('fastify: request.session is set in every route; session.save() in a route sends one cookie', async () => {
  const app = Fastify()
  const sessions = createFastifySessions<{ n: number }>({ store: fx.store, name: 'sid' })
  await app.register(sessions)
  app.get('/save', async (request) => {
    const session = sessions.of(request)
    session.values.n = 5
    await session.save()
    return { ok: true }
  })
  app.get('/read', async (request) => ({ n: sessions.of(request).values.n ?? null }))
  const send = sender(app)
  try {
    const saved = await send('/save')
    assert.equal(saved.setCookies.length, 1)
    assert.equal(saved.headers.get('cache-control'), 'no-store')
    const read = await send('/read', pairOf(saved.setCookies[0]))
    assert.deepEqual(read.body, { n: 5 })
  } finally {
    await app.close()
  }
})

test('fastify: a failed save goes to the error handler, not a silent 200', async () => {
  const failing: SessionCore = {
    load: (header, name, context) => fx.store.load(header, name, context),
    commit: async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'down')
    },
  }
  const app = Fastify()
  await app.register(fastifySessions, { store: failing })
  const seen: unknown[] = []
  app.setErrorHandler((error, _request, reply) => {
    seen.push(error)
    return reply.code(503).send({ code: (error as StoreError).code })
  })
  app.get('/', async (request) => {
    sessionOf(request).values.n = 1
    return { ok: true }
  })
  try {
    const reply = await sender(app)('/')
    assert.equal(reply.status, 503)
    assert.deepEqual(reply.body, { code: 'ERR_STORE_UNAVAILABLE' })
    assert.deepEqual(reply.setCookies, [])
    assert.equal(seen.length, 1)
  } finally {
    await app.close()
  }
})

test('fastify: a typed accessor refuses a session it did not load', async () => {
  const app = Fastify()
  const typed = createFastifySessions<{ n: number }>({ store: fx.store, name: 'sid' })
  await app.register(fastifySessions, { store: fx.store, name: 'other' })
  let caught: unknown
  app.get('/', async (request) => {
    try {
      typed.of(request)
    } catch (error) {
      caught = error
    }
    return { name: sessionOf(request).name }
  })
  const send = sender(app)
  try {
    assert.deepEqual((await send('/')).body, { name: 'other' })
    assert.ok(caught instanceof UsageError && caught.code === 'ERR_INVALID_SESSION')
  } finally {
    await app.close()
  }
})
