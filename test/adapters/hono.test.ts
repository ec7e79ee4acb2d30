/**
 * The Hono middleware with `app.request`: the shared adapter suite, then a failed save reaching
 * `onError`, and importing the adapter without loading Express (or any framework).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Hono } from 'hono'
import { honoSessions, type SessionVariables } from '../../src/adapters/hono.ts'
import { type SessionCore, StoreError } from '../../src/index.ts'
import { type AdapterFixture, adapterFixture, adapterSuite, pairOf, route } from './helpers.ts'

adapterSuite('hono', async (store) => {
  const app = new Hono<{ Variables: SessionVariables }>()
  app.use(honoSessions(store))
  app.all('*', async (c) => {
    const url = new URL(c.req.url)
    const result = await route(url.pathname + url.search, c.get('session'))
    return c.json(result.body, result.status as 200)
  })
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
})

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('hono extra')
})
after(() => fx.close())

test('hono: the middleware is a named function; a redirect response gets the cookie', async () => {
  const middleware = honoSessions<{ user: string }>(fx.store, { name: 'sid' })
  assert.equal(middleware.name, 'session')
  const app = new Hono<{ Variables: SessionVariables<{ user: string }> }>()
  app.use(middleware)
  app.get('/login', (c) => {
    c.get('session').values.user = 'ada'
    return c.redirect('/me', 303)
  })
  app.get('/raw', (c) => {
    c.get('session').values.user = 'raw'
    // A Response with immutable headers, as fetch() or Response.redirect() return.
    return Response.redirect('http://localhost/me', 302)
  })
  app.get('/me', (c) => c.json({ user: c.get('session').values.user ?? null }))
  for (const path of ['/login', '/raw']) {
    const res = await app.request(path)
    const cookie = pairOf(res.headers.getSetCookie()[0])
    assert.match(cookie, /^sid=/)
    const me = await app.request('/me', { headers: { cookie } })
    assert.deepEqual(await me.json(), { user: path === '/login' ? 'ada' : 'raw' })
  }
})

test('hono: a failed save reaches onError (500 by default)', async () => {
  const failing: SessionCore = {
    load: (header, name, context) => fx.store.load(header, name, context),
    commit: async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'down')
    },
  }
  const app = new Hono<{ Variables: SessionVariables }>()
  app.use(honoSessions(failing))
  app.get('/', (c) => {
    c.get('session').values.n = 1
    return c.text('saved')
  })
  const seen: unknown[] = []
  app.onError((error, c) => {
    seen.push(error)
    return c.text('failed', 500)
  })
  const res = await app.request('/')
  assert.equal(res.status, 500)
  assert.equal(await res.text(), 'failed')
  assert.deepEqual(res.headers.getSetCookie(), [])
  assert.ok(seen[0] instanceof StoreError)
})

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))

/** The framework packages a child process has loaded after importing `specifier`. */
async function frameworksLoadedBy(specifier: string): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module'
    await import(${JSON.stringify(specifier)})
    const cache = Object.keys(createRequire(import.meta.url).cache)
    const names = ['express', 'fastify', 'koa', 'express-session', '@fastify/session']
    const loaded = names.filter((n) => cache.some((f) => f.includes('/node_modules/' + n + '/')))
    console.log(JSON.stringify(loaded))
  `
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root },
  )
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[]
}

test('hono: importing the Hono adapter loads no other framework (and the check can see one)', async () => {
  // Every adapter imports its framework for types only.
  const adapters = ['hono', 'fetch', 'node', 'express', 'fastify', 'koa', 'express-session']
  const loaded = await Promise.all(
    adapters.map((adapter) => frameworksLoadedBy(`./src/adapters/${adapter}.ts`)),
  )
  assert.deepEqual(Object.fromEntries(adapters.map((a, i) => [a, loaded[i]])), {
    hono: [],
    fetch: [],
    node: [],
    express: [],
    fastify: [],
    koa: [],
    'express-session': [],
  })
  // The control: importing Express itself is seen.
  assert.deepEqual(await frameworksLoadedBy('express'), ['express'])
})
