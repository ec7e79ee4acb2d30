/**
 * `pgstore/next` with Next.js's own cookie classes: the cookie store `cookies()` returns in server
 * actions and route handlers (`MutableRequestCookiesAdapter` over `RequestCookies`, turned into
 * `Set-Cookie` by Next's `appendMutableCookies`), middleware's `NextRequest` / `NextResponse`, and
 * route handlers with real `Request` / `Response` objects.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  appendMutableCookies,
  MutableRequestCookiesAdapter,
} from 'next/dist/server/web/spec-extension/adapters/request-cookies.js'
import { RequestCookies } from 'next/dist/server/web/spec-extension/cookies.js'
import { NextRequest, NextResponse } from 'next/server.js'
import { type NextSessions, nextSessions } from '../../src/adapters/next.ts'
import { decodeMulti } from '../../src/index.ts'
import { type AdapterFixture, adapterFixture, pairOf } from './helpers.ts'

type Values = { user: string; n: number }

let fx: AdapterFixture
let sessions: NextSessions<Values>
before(async () => {
  fx = await adapterFixture('next')
  sessions = nextSessions<Values>(fx.store, { name: 'sid' })
})
after(() => fx.close())

/**
 * One server action as Next.js runs it: `cookies()` over the request's `Cookie` header, then the
 * cookies the action set, as `Set-Cookie` headers of the response.
 */
async function serverAction(
  cookie: string | undefined,
  action: (jar: ReturnType<typeof MutableRequestCookiesAdapter.wrap>) => Promise<void>,
): Promise<Response> {
  const jar = MutableRequestCookiesAdapter.wrap(
    new RequestCookies(new Headers(cookie ? { cookie } : {})),
  )
  await action(jar)
  const headers = new Headers()
  appendMutableCookies(headers, jar)
  return new Response(null, { status: 303, headers })
}

/** A server action that signs `user` in; the cookie the browser keeps and the session id. */
async function signedIn(user: string): Promise<{ cookie: string; id: string }> {
  let cookie = ''
  let id = ''
  await serverAction(undefined, async (jar) => {
    const session = await sessions.getSession(jar)
    session.values.user = user
    await sessions.commitSession(session, jar)
    cookie = `sid=${jar.get('sid')?.value}`
    id = session.id
  })
  return { cookie, id }
}

test('a server action signs in through cookies(); the next action reads the session', async () => {
  const signIn = await serverAction(undefined, async (jar) => {
    const session = await sessions.getSession(jar)
    session.values.user = 'ada'
    assert.equal(await sessions.commitSession(session, jar), true)
  })
  const setCookie = signIn.headers.get('set-cookie') ?? ''
  assert.match(setCookie, /^sid=[^;]+; Path=\/; Expires=.*; Max-Age=2592000; .*HttpOnly/)
  // The browser sends back what Next.js set (percent-encoded); Next.js decodes it on read.
  const cookie = pairOf(setCookie)
  let seen: unknown
  await serverAction(cookie, async (jar) => {
    seen = (await sessions.getSession(jar)).values.user
  })
  assert.equal(seen, 'ada')
})

test('an unchanged session writes nothing and sets no cookie', async () => {
  const { cookie } = await signedIn('grace')
  const mark = fx.mark()
  const response = await serverAction(cookie, async (jar) => {
    const session = await sessions.getSession(jar)
    assert.equal(session.values.user, 'grace')
    assert.equal(await sessions.commitSession(session, jar), false)
  })
  assert.equal(response.headers.get('set-cookie'), null)
  assert.deepEqual(fx.writesSince(mark), [])
})

test('destroySession deletes the row; the commit expires the cookie', async () => {
  const { cookie, id } = await signedIn('ada')
  const response = await serverAction(cookie, async (jar) => {
    const session = await sessions.getSession(jar)
    await sessions.destroySession(session)
    await sessions.commitSession(session, jar)
  })
  assert.match(response.headers.get('set-cookie') ?? '', /^sid=; .*Expires=Thu, 01 Jan 1970/)
  assert.equal(await fx.rowCount(id), 0)
})

test('withSession: a route handler counts, with the raw cookie and cache headers', async () => {
  const GET = sessions.withSession(async (_request, session) => {
    session.values.n = (session.values.n ?? 0) + 1
    return Response.json({ n: session.values.n })
  })
  const first = await GET(new Request('http://127.0.0.1/api/count'), {})
  assert.deepEqual(await first.json(), { n: 1 })
  assert.equal(first.headers.get('cache-control'), 'no-store')
  assert.equal(first.headers.get('vary'), 'Cookie')
  const cookie = pairOf(first.headers.get('set-cookie') ?? undefined)
  // Raw, as Go writes it: the value decodes as a gorilla cookie without percent-decoding.
  const raw = cookie.slice('sid='.length)
  assert.equal(typeof decodeMulti('sid', raw, fx.store.codecs), 'string')
  const second = await GET(new Request('http://127.0.0.1/api/count', { headers: { cookie } }), {})
  assert.deepEqual(await second.json(), { n: 2 })
})

test('withSession fails closed: a throwing handler commits nothing', async () => {
  const mark = fx.mark()
  const POST = sessions.withSession(async (_request, session) => {
    session.values.user = 'mallory'
    throw new Error('boom')
  })
  await assert.rejects(POST(new Request('http://127.0.0.1/', { method: 'POST' }), {}), /boom/)
  assert.deepEqual(fx.writesSince(mark), [])
})

test('withSession copies a redirect (immutable headers) to add the cookie', async () => {
  const handler = sessions.withSession(async (_request, session) => {
    session.values.user = 'ada'
    return Response.redirect('http://127.0.0.1/home', 303)
  })
  const response = await handler(new Request('http://127.0.0.1/login'), {})
  assert.equal(response.status, 303)
  assert.equal(response.headers.get('location'), 'http://127.0.0.1/home')
  assert.match(response.headers.get('set-cookie') ?? '', /^sid=/)
})

test('middleware: request.cookies in, response.cookies out (NextRequest / NextResponse)', async () => {
  const middleware = async (request: NextRequest) => {
    const session = await sessions.getSession(request.cookies)
    session.values.n = (session.values.n ?? 0) + 1
    const response = NextResponse.next()
    await sessions.commitSession(session, response.cookies)
    return response
  }
  const first = await middleware(new NextRequest('http://127.0.0.1/'))
  const cookie = pairOf(first.headers.get('set-cookie') ?? undefined)
  await middleware(new NextRequest('http://127.0.0.1/', { headers: { cookie } }))
  const later = new NextRequest('http://127.0.0.1/', { headers: { cookie } })
  assert.equal((await sessions.getSession(later.cookies)).values.n, 2)
})

test('bad arguments are usage errors', async () => {
  assert.throws(() => nextSessions({} as never), { code: 'ERR_INVALID_OPTION' })
  await assert.rejects(sessions.getSession(undefined as never), { code: 'ERR_INVALID_OPTION' })
})
