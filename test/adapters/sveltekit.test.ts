/**
 * `pgstore/sveltekit`: the `handle` hook called as SvelteKit calls it, `{ event, resolve }` with a
 * real `Request`, `event.locals`, and `resolve` answering a real `Response` (a page, a redirect,
 * Kit's 500 page for an error thrown in a load function).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type SessionLocals, sveltekitSessions } from '../../src/adapters/sveltekit.ts'
import { type AdapterFixture, adapterFixture, pairOf } from './helpers.ts'

type Locals = SessionLocals<{ n: number; user: string }>

let fx: AdapterFixture
let handle: ReturnType<typeof sveltekitSessions>
before(async () => {
  fx = await adapterFixture('sveltekit')
  handle = sveltekitSessions(fx.store, { name: 'sid' })
})
after(() => fx.close())

/** One request through the hook; `page` plays the route (a load function and its render). */
function request(
  cookie: string | undefined,
  page: (locals: Locals) => Response,
): Promise<Response> {
  const event = {
    request: new Request('http://127.0.0.1/', cookie ? { headers: { cookie } } : {}),
    locals: {} as Locals,
  }
  return handle({ event, resolve: (e) => page(e.locals) })
}

const counter = (locals: Locals) => {
  locals.session.values.n = (locals.session.values.n ?? 0) + 1
  return new Response(`<p>${locals.session.values.n}</p>`, {
    headers: { 'content-type': 'text/html' },
  })
}

test('sveltekit: event.locals.session counts across requests; cookie with cache headers', async () => {
  const first = await request(undefined, counter)
  assert.equal(await first.text(), '<p>1</p>')
  assert.equal(first.headers.get('cache-control'), 'no-store')
  assert.equal(first.headers.get('vary'), 'Cookie')
  const cookie = pairOf(first.headers.get('set-cookie') ?? undefined)
  assert.match(cookie, /^sid=/)
  assert.equal(await (await request(cookie, counter)).text(), '<p>2</p>')
})

test('sveltekit: an unchanged session writes nothing and sends no cookie', async () => {
  const cookie = pairOf((await request(undefined, counter)).headers.get('set-cookie') ?? undefined)
  const mark = fx.mark()
  const read = await request(cookie, (locals) => new Response(String(locals.session.values.n)))
  assert.equal(await read.text(), '1')
  assert.equal(read.headers.get('set-cookie'), null)
  assert.deepEqual(fx.writesSince(mark), [])
})

test('sveltekit: fails closed on a thrown error and on the 500 page Kit renders for one', async () => {
  const cookie = pairOf((await request(undefined, counter)).headers.get('set-cookie') ?? undefined)
  const mark = fx.mark()
  const errorPage = await request(cookie, (locals) => {
    locals.session.values.user = 'mallory'
    return new Response('Internal Error', { status: 500 })
  })
  assert.equal(errorPage.headers.get('set-cookie'), null)
  await assert.rejects(
    request(cookie, (locals) => {
      locals.session.values.user = 'mallory'
      throw new Error('boom')
    }),
    /boom/,
  )
  assert.deepEqual(fx.writesSince(mark), [])
})

test('sveltekit: a redirect (immutable headers) is copied to carry the cookie', async () => {
  const response = await request(undefined, (locals) => {
    locals.session.values.user = 'ada'
    return Response.redirect('http://127.0.0.1/home', 303)
  })
  assert.equal(response.status, 303)
  assert.equal(response.headers.get('location'), 'http://127.0.0.1/home')
  assert.match(response.headers.get('set-cookie') ?? '', /^sid=/)
})

test('sveltekit: a bad store is a usage error when the hook is built', () => {
  assert.throws(() => sveltekitSessions({} as never), { code: 'ERR_INVALID_OPTION' })
})
