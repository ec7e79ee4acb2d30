/**
 * The express-session store's contract where it differs from a naive upsert store: large sessions
 * are kept (no size limit by default, as MemoryStore), a configured limit fails the request
 * visibly, and `get` reports the row's real expiry, which `touch` moves. Real express-session apps
 * over HTTP on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import express from 'express'
import session from 'express-session'
import type {
  ExpressSessionData,
  ExpressSessionStoreOptions,
} from '../../src/adapters/express-session.ts'
import { PgSessionStore, secret } from './express-session-helpers.ts'
import { type AdapterFixture, adapterFixture, fetchSender, pairOf } from './helpers.ts'

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('express-session-contract')
})
after(() => fx.close())

async function expressApp(
  sessionOptions: Partial<session.SessionOptions>,
  storeOptions: Partial<ExpressSessionStoreOptions> = {},
) {
  const app = express()
  const store = new PgSessionStore({ store: fx.store, ...storeOptions })
  app.use(session({ secret, store, saveUninitialized: false, ...sessionOptions }))
  const values = (req: express.Request) => req.session as unknown as Record<string, unknown>
  app.get('/big', (req, res) => {
    values(req).blob = 'x'.repeat(Number(req.query.size))
    res.json({ sid: req.sessionID })
  })
  app.get('/size', (req, res) => {
    res.json({ size: String(values(req).blob ?? '').length })
  })
  app.get('/max-age', (req, res) => {
    res.json({ sid: req.sessionID, maxAge: req.session.cookie.maxAge })
  })
  app.get('/reload', (req, res, next) => {
    req.session.reload((error) => {
      if (error) return next(error)
      values(req).reloaded = true
      res.json({ sid: req.sessionID })
    })
  })
  const errors: unknown[] = []
  app.use(
    (error: { code?: string }, _req: express.Request, res: express.Response, _next: unknown) => {
      errors.push(error.code)
      if (!res.headersSent) res.status(500).json({ code: error.code })
    },
  )
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    store,
    errors,
    send: fetchSender(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

test('express-session store: a 100 KB session is kept (no size limit by default)', async () => {
  const app = await expressApp({ resave: false, cookie: { maxAge: 60_000 } })
  try {
    const size = 100 * 1024
    const saved = await app.send(`/big?size=${size}`)
    assert.equal(saved.status, 200)
    const cookie = pairOf(saved.setCookies[0])
    assert.deepEqual((await app.send('/size', cookie)).body, { size })
    assert.equal((await app.store.get(String(saved.body.sid)))?.blob, 'x'.repeat(size))
  } finally {
    await app.close()
  }
})

test('express-session store: a session over a configured maxLength is refused, and the app hears of it', async () => {
  const app = await expressApp({ resave: false }, { maxLength: 4096 })
  try {
    const small = await app.send('/big?size=100')
    assert.equal(small.status, 200)
    assert.deepEqual(app.errors, [])
    // express-session saves while the response ends, so the refusal reaches next(err), not the
    // client: that is why the default is no limit.
    const big = await app.send('/big?size=10000')
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(app.errors, ['ERR_VALUE_TOO_LONG'])
    assert.equal(await fx.rowCount(String(big.body.sid)), 0)
    assert.throws(() => new PgSessionStore({ store: fx.store, maxLength: -1 }), {
      code: 'ERR_INVALID_OPTION',
    })
  } finally {
    await app.close()
  }
})

test('express-session store: get reports the expiry touch moved, so cookie.maxAge never goes negative', async () => {
  // resave false: unchanged sessions are only touched, which moves the row's expiry, not its data.
  const app = await expressApp({ resave: false, cookie: { maxAge: 1500 } })
  try {
    const saved = await app.send('/big?size=1')
    const cookie = pairOf(saved.setCookies[0])
    const seen: number[] = []
    for (let i = 0; i < 4; i++) {
      await fx.db.query('SELECT pg_sleep(0.6)')
      const reply = await app.send('/max-age', cookie)
      assert.equal(reply.body.sid, saved.body.sid, 'the touched session stays alive')
      seen.push(Number(reply.body.maxAge))
    }
    // 2.4 s after the only full save of a 1.5 s cookie: the data's expiry has passed, the row's not.
    assert.ok(
      seen.every((ms) => ms > 0 && ms <= 1500),
      `cookie.maxAge seen by handlers: ${seen}`,
    )
    const row = await fx.db.query('SELECT expires_on FROM http_sessions WHERE key = $1', [
      Buffer.from(String(saved.body.sid)),
    ])
    const got = await app.store.get(String(saved.body.sid))
    assert.equal(got?.cookie?.expires, (row.rows[0].expires_on as Date).toISOString())
  } finally {
    await app.close()
  }
})

test('express-session store: a session cookie (no expiry) stays one; all() reports row expiries', async () => {
  const store = new PgSessionStore({ store: fx.store, name: 'contract-all' })
  const browserSession: ExpressSessionData = { cookie: { expires: null }, n: 1 }
  await store.set('browser-sid', browserSession)
  assert.equal((await store.get('browser-sid'))?.cookie?.expires, null)
  const persistent: ExpressSessionData = {
    cookie: { expires: new Date(Date.now() + 60_000), originalMaxAge: 60_000 },
  }
  await store.set('persistent-sid', persistent)
  await store.touch('persistent-sid', {
    cookie: { expires: new Date(Date.now() + 600_000), originalMaxAge: 600_000 },
  })
  const all = await store.all()
  const left = new Date(String(all['persistent-sid']?.cookie?.expires)).getTime() - Date.now()
  assert.ok(left > 500_000, `expires in ${left} ms`)
  assert.equal(all['browser-sid']?.cookie?.expires, null)
  assert.equal(await store.length(), 2)
})

test('express-session: reload keeps saving the session (reloaded sessions have a row)', async () => {
  const app = await expressApp({ resave: false, cookie: { maxAge: 60_000 } })
  try {
    const saved = await app.send('/big?size=3')
    const cookie = pairOf(saved.setCookies[0])
    const sid = String(saved.body.sid)
    assert.equal((await app.send('/reload', cookie)).status, 200)
    assert.equal((await app.store.get(sid))?.reloaded, true)
    await app.store.destroy(sid)
    // reload of a destroyed session fails, as with MemoryStore.
    assert.equal((await app.send('/reload', cookie)).status, 500)
    assert.equal(await fx.rowCount(sid), 0)
  } finally {
    await app.close()
  }
})
