/**
 * `pgstore/react-router`: React Router's `SessionStorage` contract over a PGStore, driven the way a
 * React Router app drives it (the `Cookie` header of a real `Request` in, `Set-Cookie` on a real
 * `Response` out), with React Router's own `createCookie`, `isSession`, `data` and `redirect`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createCookie, isSession, redirect, type SessionStorage } from 'react-router'
import {
  type ReactRouterSessionStorage,
  reactRouterSessionStorage,
} from '../../src/adapters/react-router.ts'
import { CookieStore, StoreError } from '../../src/index.ts'
import { type AdapterFixture, adapterFixture, blockKey, hashKey, pairOf } from './helpers.ts'

type Data = { user: string; visits: number }
type Flash = { error: string }

let fx: AdapterFixture
let storage: ReactRouterSessionStorage<Data, Flash>
before(async () => {
  fx = await adapterFixture('react-router')
  storage = reactRouterSessionStorage<Data, Flash>(fx.store)
})
after(() => fx.close())

/** A request as a browser sends it, with the cookie pair it keeps (if any). */
const request = (cookie?: string) =>
  new Request('http://127.0.0.1/', cookie ? { headers: { cookie } } : {})

/** A loader that counts visits, as an app would write it; returns the response. */
async function loader(req: Request): Promise<Response> {
  const session = await storage.getSession(req.headers.get('Cookie'))
  session.set('visits', (session.get('visits') ?? 0) + 1)
  const body = { user: session.get('user') ?? null, visits: session.get('visits') }
  return Response.json(body, { headers: await storage.commitHeaders(session) })
}

test('it is a React Router SessionStorage, and its sessions are React Router sessions', async () => {
  const asStorage: SessionStorage<Data, Flash> = storage
  const session = await asStorage.getSession(null)
  assert.ok(isSession(session))
  assert.equal(session.id, '')
  assert.equal(session.has('user'), false)
})

test('set, commit, and the next request reads the value back through the cookie', async () => {
  const login = await storage.getSession(request().headers.get('Cookie'))
  login.set('user', 'ada')
  const response = redirect('/', { headers: { 'Set-Cookie': await storage.commitSession(login) } })
  const cookie = pairOf(response.headers.get('set-cookie') ?? undefined)
  assert.match(cookie, /^session=/)

  const first = await loader(request(cookie))
  assert.deepEqual(await first.json(), { user: 'ada', visits: 1 })
  const again = await storage.getSession(cookie)
  assert.equal(again.get('visits'), 1)
  assert.notEqual(again.id, '')
  assert.equal(await fx.rowCount(again.id), 1)
})

test('flash: read once by the next get, then gone, as React Router has it', async () => {
  const session = await storage.getSession(null)
  session.set('user', 'ada')
  session.flash('error', 'wrong password')
  const cookie = pairOf(await storage.commitSession(session))

  const next = await storage.getSession(cookie)
  assert.equal(next.get('error'), 'wrong password')
  assert.equal(next.get('error'), undefined, 'a second get in the same request sees nothing')
  await storage.commitSession(next)
  const later = await storage.getSession(cookie)
  assert.equal(later.get('error'), undefined)
  assert.equal(later.get('user'), 'ada')
})

test('an unchanged session writes nothing and sends no cookie or cache headers', async () => {
  const session = await storage.getSession(null)
  session.set('user', 'grace')
  const cookie = pairOf(await storage.commitSession(session))
  const mark = fx.mark()
  const read = await storage.getSession(cookie)
  assert.equal(read.get('user'), 'grace')
  assert.equal(await storage.commitSession(read), '')
  const headers = await storage.commitHeaders(await storage.getSession(cookie))
  assert.deepEqual([...headers], [])
  assert.deepEqual(fx.writesSince(mark), [])
})

test('a committed cookie comes with Cache-Control: no-store and Vary: Cookie', async () => {
  const response = await loader(request())
  assert.match(response.headers.get('set-cookie') ?? '', /^session=.*HttpOnly/i)
  assert.equal(response.headers.get('cache-control'), 'no-store')
  assert.equal(response.headers.get('vary'), 'Cookie')
})

test('an action that throws before committing leaves the stored session as it was', async () => {
  const session = await storage.getSession(null)
  session.set('user', 'ada')
  const cookie = pairOf(await storage.commitSession(session))
  const mark = fx.mark()
  const action = async (req: Request) => {
    const s = await storage.getSession(req.headers.get('Cookie'))
    s.set('user', 'mallory')
    throw new Error('validation failed')
  }
  await assert.rejects(action(request(cookie)), /validation failed/)
  assert.deepEqual(fx.writesSince(mark), [])
  assert.equal((await storage.getSession(cookie)).get('user'), 'ada')
})

test('destroySession deletes the row and returns an expiring cookie', async () => {
  const session = await storage.getSession(null)
  session.set('user', 'ada')
  const cookie = pairOf(await storage.commitSession(session))
  const loaded = await storage.getSession(cookie)
  const expiring = await storage.destroySession(loaded)
  assert.match(expiring, /^session=; .*Max-Age=0/i)
  assert.equal(await fx.rowCount(loaded.id), 0)
  const after = await storage.getSession(cookie)
  assert.equal(after.get('user'), undefined)
})

test("React Router's createCookie names the cookie; commit options set its lifetime", async () => {
  const named = reactRouterSessionStorage<Data>(fx.store, { cookie: createCookie('__session') })
  const session = await named.getSession(null)
  session.set('user', 'ada')
  const setCookie = await named.commitSession(session, { maxAge: 60 })
  assert.match(setCookie, /^__session=[^;]+; .*Max-Age=60/)
  assert.equal((await named.getSession(pairOf(setCookie))).get('user'), 'ada')
})

test('a tampered cookie gives a new empty session; a bad storage argument is a usage error', async () => {
  const session = await storage.getSession('session=not-a-valid-cookie')
  assert.equal(session.has('user'), false)
  assert.throws(() => reactRouterSessionStorage({} as never), { code: 'ERR_INVALID_OPTION' })
  assert.throws(() => reactRouterSessionStorage(fx.store, { name: 'bad name' }), {
    code: 'ERR_INVALID_COOKIE_NAME',
  })
  await assert.rejects(storage.commitSession({} as never), { code: 'ERR_INVALID_SESSION' })
})

test('over a CookieStore the session lives in the cookie itself', async () => {
  const inCookie = reactRouterSessionStorage<Data>(
    new CookieStore([hashKey, blockKey], { cookie: { secure: false } }),
  )
  const session = await inCookie.getSession(null)
  session.set('user', 'ada')
  const cookie = pairOf(await inCookie.commitSession(session))
  assert.equal((await inCookie.getSession(cookie)).get('user'), 'ada')
})

test('a database failure rejects with a StoreError, never a new session', async () => {
  const session = await storage.getSession(null)
  session.set('user', 'ada')
  const cookie = pairOf(await storage.commitSession(session))
  await fx.db.query('ALTER TABLE http_sessions RENAME TO http_sessions_away')
  try {
    await assert.rejects(storage.getSession(cookie), (error) => error instanceof StoreError)
  } finally {
    await fx.db.query('ALTER TABLE http_sessions_away RENAME TO http_sessions')
  }
})
