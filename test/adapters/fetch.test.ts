/**
 * The Fetch adapter: the shared adapter suite on a plain `Request => Response` handler, then what
 * is particular to Fetch code (headers targets, immutable responses, cache headers kept).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { appendSessionCookie, fetchSessions } from '../../src/adapters/fetch.ts'
import { UsageError } from '../../src/index.ts'
import {
  type AdapterFixture,
  adapterFixture,
  adapterSuite,
  pairOf,
  route,
  type Send,
} from './helpers.ts'

function fetchApp(sessions: ReturnType<typeof fetchSessions>) {
  return async (request: Request): Promise<Response> => {
    const session = await sessions.getSession(request)
    const url = new URL(request.url)
    const result = await route(url.pathname + url.search, session)
    const response = Response.json(result.body, { status: result.status })
    await sessions.setCookies(session, response, request)
    return response
  }
}

function sender(handler: (request: Request) => Promise<Response>): Send {
  return async (path, cookie) => {
    const response = await handler(
      new Request(new URL(path, 'http://localhost'), { headers: cookie ? { cookie } : {} }),
    )
    return {
      status: response.status,
      headers: response.headers,
      setCookies: response.headers.getSetCookie(),
      body: (await response.json()) as Record<string, unknown>,
    }
  }
}

adapterSuite('fetch', async (store) => ({
  send: sender(fetchApp(fetchSessions(store))),
  close: async () => {},
}))

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('fetch extra')
})
after(() => fx.close())

test('fetch: getSession takes a Cookie header string or Headers; commitSession returns the line', async () => {
  const sessions = fetchSessions<{ n: number }>(fx.store, { name: 'sid' })
  const fresh = await sessions.getSession(null)
  fresh.values.n = 7
  const line = await sessions.commitSession(fresh)
  assert.match(line ?? '', /^sid=/)
  const fromString = await sessions.getSession(pairOf(line))
  assert.equal(fromString.values.n, 7)
  const fromHeaders = await sessions.getSession(new Headers({ cookie: pairOf(line) }))
  assert.equal(fromHeaders.id, fromString.id)
  assert.equal(await sessions.commitSession(fromHeaders), undefined)
})

test('fetch: setCookies keeps the app Cache-Control and adds Cookie to an existing Vary', async () => {
  const sessions = fetchSessions(fx.store)
  const session = await sessions.getSession(null)
  session.values.x = 1
  const headers = new Headers({ 'cache-control': 'private, max-age=0', vary: 'Accept' })
  headers.append('set-cookie', 'other=1')
  await sessions.setCookies(session, headers)
  assert.equal(headers.get('cache-control'), 'private, max-age=0')
  assert.equal(headers.get('vary'), 'Accept, Cookie')
  const cookies = headers.getSetCookie()
  assert.equal(cookies.length, 2)
  assert.equal(cookies[0], 'other=1')
  assert.match(cookies[1] ?? '', /^session=/)
})

test('fetch: appendSessionCookie on immutable headers is a UsageError naming the fix', () => {
  const immutable = Response.redirect('http://localhost/next', 303)
  assert.throws(
    () => appendSessionCookie(immutable.headers, 'session=x'),
    (error: unknown) => error instanceof UsageError && error.code === 'ERR_INVALID_OPTION',
  )
})

test('fetch: sign-in with renewSession, Response.redirect and setCookies sends the new cookie', async () => {
  const sessions = fetchSessions<{ user?: string; cart?: number }>(fx.store, { name: 'sid' })
  const anonymous = await sessions.getSession(null)
  anonymous.values.cart = 3
  const before = pairOf(await sessions.commitSession(anonymous))

  const request = new Request('http://localhost/login', {
    method: 'POST',
    headers: { cookie: before },
  })
  const session = await sessions.getSession(request)
  await sessions.renewSession(session, request)
  session.values.user = 'ada'
  const redirect = Response.redirect('http://localhost/', 303)
  const response = await sessions.setCookies(session, redirect, request)

  assert.notEqual(response, redirect, 'an immutable response is copied')
  assert.equal(response.status, 303)
  assert.equal(response.headers.get('location'), 'http://localhost/')
  assert.equal(response.headers.get('cache-control'), 'no-store')
  const [line] = response.headers.getSetCookie()
  assert.match(line ?? '', /^sid=/)
  const after = await sessions.getSession(pairOf(line))
  assert.deepEqual({ ...after.values }, { cart: 3, user: 'ada' })
  // The pre-sign-in cookie is dead: renewal replaced the id.
  const old = await sessions.getSession(before)
  assert.equal(old.isNew, true)
})

test('fetch: setCookies returns a mutable target itself, and sends nothing for an untouched session', async () => {
  const sessions = fetchSessions(fx.store)
  const session = await sessions.getSession(null)
  const untouched = Response.redirect('http://localhost/', 302)
  assert.equal(await sessions.setCookies(session, untouched), untouched)
  session.values.x = 1
  const mutable = Response.json({ ok: true })
  assert.equal(await sessions.setCookies(session, mutable), mutable)
  assert.equal(mutable.headers.getSetCookie().length, 1)
})

test('fetch: a target setCookies cannot deliver on is refused before anything is saved', async () => {
  const sessions = fetchSessions<{ n: number }>(fx.store, { name: 'sid' })
  const first = await sessions.getSession(null)
  first.values.n = 1
  const cookie = pairOf(await sessions.commitSession(first))
  // A fetch result has immutable headers; once its body is read it cannot be copied either.
  const fetched = await fetch('data:text/plain,hello')
  await fetched.text()
  for (const target of [fetched, { headers: new Headers() } as unknown as Response]) {
    const session = await sessions.getSession(cookie)
    session.values.n = 2
    await assert.rejects(
      sessions.setCookies(session, target),
      (error: unknown) => error instanceof UsageError && error.code === 'ERR_INVALID_OPTION',
    )
    assert.equal((await sessions.getSession(cookie)).values.n, 1, 'nothing was saved')
  }
})

test('fetch: an invalid session name is refused when the adapter is built', () => {
  assert.throws(
    () => fetchSessions(fx.store, { name: 'bad name' }),
    (error: unknown) => error instanceof UsageError && error.code === 'ERR_INVALID_COOKIE_NAME',
  )
})
