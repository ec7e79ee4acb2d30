/**
 * `pgstore/h3`: the middleware in a real h3 v2 app served by node:http on 127.0.0.1, driven with
 * real HTTP requests and cookies.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { H3, HTTPError } from 'h3'
import { destroySession, h3Sessions, sessionOf } from '../../src/adapters/h3.ts'
import { type H3Server, serveH3 } from './h3-server.ts'
import { type AdapterFixture, adapterFixture, pairOf } from './helpers.ts'

type Values = { n: number; user: string }

let fx: AdapterFixture
let server: H3Server
let base: string
before(async () => {
  fx = await adapterFixture('h3')
  const app = new H3().use(h3Sessions(fx.store, { name: 'sid' }))
  app.get('/count', (event) => {
    const session = sessionOf<Values>(event)
    session.values.n = (session.values.n ?? 0) + 1
    return { n: session.values.n }
  })
  app.get('/read', (event) => ({ n: sessionOf<Values>(event).values.n ?? 0 }))
  app.get('/response', (event) => {
    sessionOf<Values>(event).values.user = 'ada'
    return Response.redirect('http://127.0.0.1/home', 303)
  })
  app.get('/fail', (event) => {
    sessionOf<Values>(event).values.user = 'mallory'
    throw new Error('boom')
  })
  app.get('/bad', (event) => {
    sessionOf<Values>(event).values.user = 'mallory'
    throw new HTTPError({ status: 400, message: 'bad input' })
  })
  app.get('/logout', async (event) => {
    await destroySession(sessionOf(event))
    return 'bye'
  })
  server = await serveH3(app)
  base = server.base
})
after(async () => {
  server.close()
  await fx.close()
})

const get = (path: string, cookie?: string) =>
  fetch(`${base}${path}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) })

test('h3: a counter over real HTTP, with the cookie and cache headers', async () => {
  const first = await get('/count')
  assert.deepEqual(await first.json(), { n: 1 })
  assert.equal(first.headers.get('cache-control'), 'no-store')
  assert.equal(first.headers.get('vary'), 'Cookie')
  const cookie = pairOf(first.headers.get('set-cookie') ?? undefined)
  assert.match(cookie, /^sid=/)
  assert.deepEqual(await (await get('/count', cookie)).json(), { n: 2 })
  assert.deepEqual(await (await get('/count', cookie)).json(), { n: 3 })
})

test('h3: an unchanged session writes nothing and sends no cookie', async () => {
  const cookie = pairOf((await get('/count')).headers.get('set-cookie') ?? undefined)
  const mark = fx.mark()
  const read = await get('/read', cookie)
  assert.deepEqual(await read.json(), { n: 1 })
  assert.equal(read.headers.get('set-cookie'), null)
  assert.deepEqual(fx.writesSince(mark), [])
})

test('h3: a route returning its own (immutable) Response still gets the cookie', async () => {
  const response = await get('/response')
  assert.equal(response.status, 303)
  assert.match(response.headers.get('set-cookie') ?? '', /^sid=/)
  assert.equal(response.headers.get('cache-control'), 'no-store')
})

test('h3: fails closed, a throwing route commits nothing and sends no cookie', async () => {
  const cookie = pairOf((await get('/count')).headers.get('set-cookie') ?? undefined)
  for (const path of ['/fail', '/bad']) {
    const mark = fx.mark()
    const response = await get(path, cookie)
    assert.ok(response.status >= 400, `${path}: ${response.status}`)
    assert.equal(response.headers.get('set-cookie'), null, path)
    assert.deepEqual(fx.writesSince(mark), [], path)
  }
})

test('h3: logout deletes the row and expires the cookie', async () => {
  const cookie = pairOf((await get('/count')).headers.get('set-cookie') ?? undefined)
  const response = await get('/logout', cookie)
  assert.match(response.headers.get('set-cookie') ?? '', /^sid=; .*Max-Age=0/)
  assert.deepEqual(await (await get('/read', cookie)).json(), { n: 0 })
})

test('h3: sessionOf without the middleware is a usage error', () => {
  assert.throws(() => sessionOf({} as never), { code: 'ERR_INVALID_OPTION' })
})
