/**
 * The express-session compatible store: the real `express-session` middleware round trip on the
 * PGStore's table, the store contract called directly (callbacks and promises), and
 * `@fastify/session` with `@fastify/cookie` on the same store.
 */
import assert from 'node:assert/strict'
import { EventEmitter, once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import express from 'express'
import session from 'express-session'
import Fastify from 'fastify'
import {
  type ExpressSessionData,
  type ExpressSessionStore,
  expressSessionStore,
} from '../../src/adapters/express-session.ts'
import { decodeMulti, PGStore, StoreError } from '../../src/index.ts'
import { inSeconds, PgSessionStore, secret } from './express-session-helpers.ts'
import {
  type AdapterFixture,
  adapterFixture,
  blockKey,
  fetchSender,
  hashKey,
  pairOf,
  toHeaders,
} from './helpers.ts'

let fx: AdapterFixture
let store: ExpressSessionStore
before(async () => {
  fx = await adapterFixture('express-session')
  store = new PgSessionStore({ store: fx.store })
})
after(() => fx.close())

async function row(sid: string) {
  const result = await fx.db.query('SELECT data, expires_on FROM http_sessions WHERE key = $1', [
    Buffer.from(sid),
  ])
  return result.rows[0] as { data: Buffer; expires_on: Date } | undefined
}

test('express-session: set, read, destroy through the real middleware', async () => {
  const app = express()
  app.use(
    session({
      secret,
      store: new PgSessionStore({ store: fx.store }),
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 60_000 },
    }),
  )
  const values = (req: express.Request) => req.session as unknown as Record<string, unknown>
  app.get('/set', (req, res) => {
    values(req).value = req.query.value
    res.json({ sid: req.sessionID })
  })
  app.get('/get', (req, res) => {
    res.json({ sid: req.sessionID, value: values(req).value ?? null })
  })
  app.get('/destroy', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.json({})))
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const send = fetchSender(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  try {
    const set = await send('/set?value=ada')
    const cookie = pairOf(set.setCookies[0])
    assert.match(cookie, /^connect\.sid=s%3A/)
    const sid = String(set.body.sid)

    // The row: keyed by the sid, the JSON encoded by the PGStore's codec, expiring with the cookie.
    const stored = await row(sid)
    assert.ok(stored)
    const json = decodeMulti<string>(
      'connect.sid',
      stored.data.toString('latin1'),
      fx.store.codecs,
      {
        maxAge: 0,
      },
    )
    assert.equal(JSON.parse(json).value, 'ada')
    const left = stored.expires_on.getTime() - Date.now()
    assert.ok(left > 50_000 && left <= 61_000, `expires in ${left} ms`)

    assert.deepEqual((await send('/get', cookie)).body, { sid, value: 'ada' })
    const gone = await send('/destroy', cookie)
    assert.equal(gone.status, 200)
    assert.equal(await row(sid), undefined)
    const after = await send('/get', cookie)
    assert.notEqual(after.body.sid, sid)
    assert.equal(after.body.value, null)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('express-session store: get, set, destroy with callbacks and with promises', async () => {
  await new Promise<void>((resolve, reject) =>
    store.set('cb-sid', inSeconds(60, { user: 'ada' }), (error) =>
      error ? reject(error) : resolve(),
    ),
  )
  const viaCallback = await new Promise<ExpressSessionData | null | undefined>((resolve, reject) =>
    store.get('cb-sid', (error, sess) => (error ? reject(error) : resolve(sess))),
  )
  assert.equal(viaCallback?.user, 'ada')
  assert.equal((await store.get('cb-sid'))?.user, 'ada')
  assert.equal(await store.get('no-such-sid'), null)
  await store.destroy('cb-sid')
  assert.equal(await store.get('cb-sid'), null)
})

test('express-session store: an expired cookie is not returned, even before cleanup', async () => {
  await store.set('old-sid', inSeconds(-1, { user: 'x' }))
  assert.ok(await row('old-sid'))
  assert.equal(await store.get('old-sid'), null)
  // No expiry in the cookie: the ttl applies.
  const short = new PgSessionStore({ store: fx.store, ttl: 30 })
  const noExpiry: ExpressSessionData = { cookie: { expires: null }, user: 'y' }
  await short.set('ttl-sid', noExpiry)
  const left = ((await row('ttl-sid'))?.expires_on.getTime() ?? 0) - Date.now()
  assert.ok(left > 20_000 && left <= 31_000, `expires in ${left} ms`)
})

test('express-session store: touch extends the expiry, at most once per touchAfter', async () => {
  await store.set('touch-sid', inSeconds(10))
  const before = (await row('touch-sid'))?.expires_on.getTime() ?? 0
  await store.touch('touch-sid', inSeconds(3600))
  const touched = (await row('touch-sid'))?.expires_on.getTime() ?? 0
  assert.ok(touched - before > 3000_000, 'touch moved the expiry forward')
  // A touch never shortens a session.
  await store.touch('touch-sid', inSeconds(5))
  assert.equal((await row('touch-sid'))?.expires_on.getTime(), touched)

  const lazy = new PgSessionStore({ store: fx.store, touchAfter: 3600 })
  await lazy.set('lazy-sid', inSeconds(10))
  const mark = fx.mark()
  const first = (await row('lazy-sid'))?.expires_on.getTime()
  await lazy.touch('lazy-sid', inSeconds(3600))
  assert.equal((await row('lazy-sid'))?.expires_on.getTime(), first)
  assert.equal(fx.writesSince(mark).length, 1, 'one UPDATE that matched no row')
})

test('express-session store: length, all and clear see only this store, not PGStore sessions', async () => {
  const other = new PgSessionStore({ store: fx.store, name: 'other.sid' })
  await other.clear()
  await other.set('a-sid', inSeconds(60, { n: 1 }))
  await other.set('b-sid', inSeconds(60, { n: 2 }))
  await other.set('expired-sid', inSeconds(-1, { n: 3 }))
  // A native PGStore session in the same table.
  const native = await fx.store.load(undefined, 'sid')
  native.values.keep = true
  const nativeCookie = pairOf(await fx.store.commit(native))

  assert.equal(await other.length(), 2)
  const all = await other.all()
  assert.deepEqual(Object.keys(all ?? {}).sort(), ['a-sid', 'b-sid'])
  assert.equal(all?.['b-sid']?.n, 2)

  await other.clear()
  assert.equal(await other.length(), 0)
  assert.equal(await fx.rowCount(native.id), 1)
  assert.equal((await fx.store.load(nativeCookie, 'sid')).values.keep, true)
})

test('@fastify/session with @fastify/cookie: set, read, destroy on the same store', async () => {
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret,
    // @fastify/session needs no express-session: any EventEmitter class is a base.
    store: new (expressSessionStore({ Store: EventEmitter }))({ store: fx.store }),
    cookie: { secure: false, maxAge: 60_000 },
    saveUninitialized: false,
  })
  const bag = (request: { session: unknown }) =>
    request.session as { get(k: string): unknown; set(k: string, v: unknown): void }
  app.get('/set', async (request) => {
    bag(request).set('value', 'grace')
    return { sid: request.session.sessionId }
  })
  app.get('/get', async (request) => ({
    sid: request.session.sessionId,
    value: bag(request).get('value') ?? null,
  }))
  app.get('/destroy', async (request) => {
    await request.session.destroy()
    return {}
  })
  const send = async (url: string, cookie?: string) => {
    const res = await app.inject({ url, headers: cookie ? { cookie } : {} })
    return { setCookies: toHeaders(res.headers).getSetCookie(), body: res.json() }
  }
  try {
    const set = await send('/set')
    const cookie = pairOf(set.setCookies[0])
    assert.match(cookie, /^sessionId=/)
    const sid = String(set.body.sid)
    assert.ok(await row(sid))
    assert.equal((await store.get(sid))?.value, 'grace')
    assert.deepEqual((await send('/get', cookie)).body, { sid, value: 'grace' })
    await send('/destroy', cookie)
    assert.equal(await row(sid), undefined)
    assert.equal((await send('/get', cookie)).body.value, null)
  } finally {
    await app.close()
  }
})

test('express-session store: a database failure reaches the callback as a StoreError', async () => {
  const down = {
    query: async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    },
  }
  const broken = new PgSessionStore({ store: new PGStore(down, [hashKey, blockKey]) })
  const error = await new Promise((resolve) => broken.get('any-sid', (err) => resolve(err)))
  assert.ok(error instanceof StoreError, String(error))
  await assert.rejects(broken.set('any-sid', inSeconds(60)), StoreError)
  await assert.rejects(broken.length(), StoreError)
})
