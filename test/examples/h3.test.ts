/**
 * The h3 example over real HTTP on 127.0.0.1: sign in (a new session id, a flash shown once), the
 * visit counter, a bad sign-in that commits nothing, sign out.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createH3App } from '../../examples/h3/app.ts'
import { type H3Server, serveH3 } from '../adapters/h3-server.ts'
import { type AdapterFixture, adapterFixture, pairOf } from '../adapters/helpers.ts'

let fx: AdapterFixture
let server: H3Server
let base: string
before(async () => {
  fx = await adapterFixture('h3 example')
  server = await serveH3(createH3App(fx.store, { name: 'sid' }))
  base = server.base
})
after(async () => {
  server.close()
  await fx.close()
})

const call = (method: string, path: string, cookie: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })

test('h3 example: visit, sign in with a new id, the flash once, sign out', async () => {
  const first = await call('GET', '/', '')
  const anonymous = pairOf(first.headers.get('set-cookie') ?? undefined)
  assert.deepEqual(await first.json(), { user: null, visits: 1, flashes: [] })

  const login = await call('POST', '/login', anonymous, { user: 'ada' })
  assert.equal(login.status, 200)
  const cookie = pairOf(login.headers.get('set-cookie') ?? undefined)
  assert.notEqual(cookie, anonymous, 'sign-in renews the session id')
  assert.deepEqual(await (await call('GET', '/', anonymous)).json(), {
    user: null,
    visits: 1,
    flashes: [],
  })

  assert.deepEqual(await (await call('GET', '/', cookie)).json(), {
    user: 'ada',
    visits: 2,
    flashes: ['welcome, ada'],
  })
  assert.deepEqual((await (await call('GET', '/', cookie)).json()).flashes, [])

  const mark = fx.mark()
  const bad = await call('POST', '/login', cookie, { user: '' })
  assert.equal(bad.status, 400)
  assert.deepEqual(fx.writesSince(mark), [])

  const logout = await call('POST', '/logout', cookie)
  assert.match(logout.headers.get('set-cookie') ?? '', /^sid=; /)
  assert.equal((await (await call('GET', '/', cookie)).json()).user, null)
})
