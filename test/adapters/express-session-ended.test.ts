/**
 * The express-session store never brings an ended session back: a request that loaded the session
 * before sign-out (destroy) or regenerate and saves after it, a touch, a save of the same id from
 * `@fastify/session`, or a direct `set`, all leave the row gone. Real express-session and Fastify
 * apps over HTTP on 127.0.0.1.
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
  type ExpressSessionStore,
  expressSessionStore,
} from '../../src/adapters/express-session.ts'
import { inSeconds, PgSessionStore, secret } from './express-session-helpers.ts'
import { type AdapterFixture, adapterFixture, fetchSender, pairOf, toHeaders } from './helpers.ts'

let fx: AdapterFixture
let store: ExpressSessionStore
before(async () => {
  fx = await adapterFixture('express-session-ended')
  store = new PgSessionStore({ store: fx.store })
})
after(() => fx.close())

const rows = async (sid: string) => fx.rowCount(sid)

/** A promise released from outside: holds a request in flight. */
function gate() {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
}

/** An express-session app with express-session's defaults (resave: true) unless `options` say. */
async function expressApp(options: Partial<session.SessionOptions> = {}) {
  const app = express()
  const held = gate()
  const entered = gate()
  app.use(
    session({
      secret,
      store: new PgSessionStore({ store: fx.store }),
      saveUninitialized: false,
      cookie: { maxAge: 60_000 },
      ...options,
    }),
  )
  const values = (req: express.Request) => req.session as unknown as Record<string, unknown>
  app.get('/login', (req, res) => {
    values(req).user = 'victim'
    res.json({ sid: req.sessionID })
  })
  // Read-only, but slow: loaded before the sign-out, finished after it.
  app.get('/slow-read', async (req, res) => {
    entered.open()
    await held.opened
    res.json({ sid: req.sessionID, user: values(req).user ?? null })
  })
  app.get('/slow-write', async (req, res) => {
    entered.open()
    await held.opened
    values(req).note = 'written after sign-out'
    res.json({ sid: req.sessionID })
  })
  app.get('/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.json({})))
  })
  app.get('/regenerate', (req, res, next) => {
    req.session.regenerate((error) => {
      if (error) return next(error)
      values(req).user = 'victim'
      res.json({ sid: req.sessionID })
    })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const send = fetchSender(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  return {
    send,
    held,
    entered,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

for (const [route, options] of [
  ['/slow-read', {}],
  ['/slow-write', {}],
  ['/slow-write', { resave: false }],
] as const) {
  test(`express-session: a ${route} in flight across sign-out (${JSON.stringify(options)}) does not bring the session back`, async () => {
    const app = await expressApp(options)
    try {
      const login = await app.send('/login')
      const cookie = pairOf(login.setCookies[0])
      const sid = String(login.body.sid)
      assert.equal(await rows(sid), 1)

      const slow = app.send(route, cookie)
      await app.entered.opened
      assert.equal((await app.send('/logout', cookie)).status, 200)
      assert.equal(await rows(sid), 0)
      app.held.open()
      const late = await slow
      assert.equal(late.status, 200)
      assert.equal(late.body.sid, sid)

      assert.equal(await rows(sid), 0, 'the late save re-created the destroyed session')
      const replay = await app.send('/slow-read', cookie)
      assert.notEqual(replay.body.sid, sid)
      assert.equal(replay.body.user, null)
      assert.equal(await rows(sid), 0)
    } finally {
      app.held.open()
      await app.close()
    }
  })
}

test('express-session: a request in flight across regenerate does not bring the old id back', async () => {
  const app = await expressApp()
  try {
    const login = await app.send('/login')
    const cookie = pairOf(login.setCookies[0])
    const sid = String(login.body.sid)
    const slow = app.send('/slow-write', cookie)
    await app.entered.opened
    const fresh = await app.send('/regenerate', cookie)
    const newSid = String(fresh.body.sid)
    assert.notEqual(newSid, sid)
    app.held.open()
    assert.equal((await slow).status, 200)
    assert.equal(await rows(sid), 0)
    assert.equal(await rows(newSid), 1)
    assert.equal((await store.get(newSid))?.user, 'victim')
  } finally {
    app.held.open()
    await app.close()
  }
})

test('express-session store: set and touch after destroy write nothing, whoever calls them', async () => {
  await store.set('ended-sid', inSeconds(60, { user: 'ada' }))
  await store.destroy('ended-sid')
  // A plain object, as @fastify/session or a direct caller hands it over.
  await store.set('ended-sid', inSeconds(60, { user: 'mallory' }))
  await store.touch('ended-sid', inSeconds(120))
  assert.equal(await rows('ended-sid'), 0)
  assert.equal(await store.get('ended-sid'), null)

  // The record holds a SHA-256 of the id, never the id itself.
  const ended = await fx.db.query(
    "SELECT key_hash, expires_on FROM pgstore_ended WHERE table_name = 'http_sessions'",
  )
  const hashes = ended.rows.map((r) => Buffer.from(r.key_hash).toString('latin1'))
  assert.ok(hashes.every((h) => !h.includes('ended-sid')))
  assert.ok(ended.rows.length >= 1)

  // clear ends ids the same way.
  await store.set('cleared-sid', inSeconds(60, { n: 1 }))
  await store.clear()
  await store.set('cleared-sid', inSeconds(60, { n: 2 }))
  assert.equal(await rows('cleared-sid'), 0)

  // A session saved twice by the same caller is created once, then updated.
  const twice = inSeconds(60, { n: 1 })
  await store.set('twice-sid', twice)
  ;(twice as Record<string, unknown>).n = 2
  await store.set('twice-sid', twice)
  assert.equal((await store.get('twice-sid'))?.n, 2)
})

test('express-session store: an ended id is kept until its session would have expired, then cleaned', async () => {
  await store.set('short-sid', inSeconds(1, { n: 1 }))
  await store.destroy('short-sid')
  const ended = async () =>
    (
      await fx.db.query(
        "SELECT count(*)::int AS n FROM pgstore_ended WHERE key_hash = sha256('short-sid'::bytea)",
      )
    ).rows[0].n
  assert.equal(await ended(), 1)
  await fx.db.query('SELECT pg_sleep(1.2)')
  await fx.store.deleteExpired()
  assert.equal(await ended(), 0)
  // The session would have expired anyway: the id is free again (as any unknown id is).
  await store.set('short-sid', inSeconds(60, { n: 2 }))
  assert.equal((await store.get('short-sid'))?.n, 2)
})

test('@fastify/session: a request in flight across destroy does not bring the session back', async () => {
  const app = Fastify()
  const held = gate()
  const entered = gate()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret,
    store: new (expressSessionStore({ Store: EventEmitter }))({ store: fx.store }),
    cookie: { secure: false, maxAge: 60_000 },
    saveUninitialized: false,
  })
  const bag = (request: { session: unknown }) =>
    request.session as { set(k: string, v: unknown): void }
  app.get('/login', async (request) => {
    bag(request).set('user', 'victim')
    return { sid: request.session.sessionId }
  })
  app.get('/slow-write', async (request) => {
    entered.open()
    await held.opened
    bag(request).set('note', 'after sign-out')
    return { sid: request.session.sessionId }
  })
  app.get('/logout', async (request) => {
    await request.session.destroy()
    return {}
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const send = fetchSender(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
  try {
    const login = await send('/login')
    const cookie = pairOf(toHeaders({ 'set-cookie': login.setCookies }).getSetCookie()[0])
    const sid = String(login.body.sid)
    assert.equal(await rows(sid), 1)
    const slow = send('/slow-write', cookie)
    await entered.opened
    await send('/logout', cookie)
    held.open()
    assert.equal((await slow).status, 200)
    assert.equal(await rows(sid), 0)
  } finally {
    held.open()
    await app.close()
  }
})
