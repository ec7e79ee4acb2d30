/**
 * Shared setup for the adapter tests: a store on a fresh schema with every statement counted, the
 * routes every adapter serves (the same session logic, wired into each framework), and the
 * behaviour every adapter must show, as one suite each test file runs against its framework.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { destroySession, renewSession } from '../../src/adapters/shared.ts'
import {
  newPGStoreFromPool,
  PGStore,
  type Session,
  type SessionCore,
  type SessionValues,
} from '../../src/index.ts'
import { countStatements, createTestSchema, type TestSchema } from '../support/pg.ts'

export const hashKey = Buffer.from('hash-key-0123456789abcdefghijklm')
export const blockKey = Buffer.from('block-key-0123456789abcdefghijkl')

/** A migrated store on its own schema (`secure: false`), and one with the default cookie options. */
export interface AdapterFixture {
  db: TestSchema
  store: PGStore
  secureStore: PGStore
  /** How many statements the pool sent so far: a mark for {@link writesSince}. */
  mark(): number
  /** The INSERT, UPDATE and DELETE statements sent since `mark`. */
  writesSince(mark: number): string[]
  /** How many rows the table holds under `id`. */
  rowCount(id: string): Promise<number>
  close(): Promise<void>
}

export async function adapterFixture(label: string): Promise<AdapterFixture> {
  const db = await createTestSchema(label)
  const counter = countStatements(db.pool)
  const store = await newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false } })
  const secureStore = new PGStore(db.pool, [hashKey, blockKey])
  return {
    db,
    store,
    secureStore,
    mark: () => counter.total(),
    writesSince: (mark) =>
      counter.statementsSince(mark).filter((sql) => /\b(INSERT|UPDATE|DELETE)\b/i.test(sql)),
    rowCount: async (id) =>
      (await db.query('SELECT count(*)::int AS n FROM http_sessions WHERE key = $1', [id])).rows[0]
        .n,
    close: async () => {
      await store.close()
      await db.drop()
    },
  }
}

/** What a route answers: a status and a JSON body. */
export interface RouteResult {
  status: number
  body: Record<string, unknown>
}

/**
 * The session logic behind every adapter's routes. `path` may carry `?value=`. Unknown paths: 404.
 */
export async function route(path: string, session: Session<SessionValues>): Promise<RouteResult> {
  const url = new URL(path, 'http://localhost')
  switch (url.pathname) {
    case '/set':
      session.values.value = url.searchParams.get('value')
      return { status: 200, body: {} }
    case '/get':
      return {
        status: 200,
        body: {
          value: session.values.value ?? null,
          isNew: session.isNew,
          error: session.error?.code ?? null,
        },
      }
    case '/id':
      return { status: 200, body: { id: session.id } }
    case '/flash':
      session.addFlash('hello')
      return { status: 200, body: {} }
    case '/flashes':
      return { status: 200, body: { flashes: session.flashes() } }
    case '/destroy':
      await destroySession(session)
      return { status: 200, body: {} }
    case '/renew':
      await renewSession(session)
      return { status: 200, body: {} }
    case '/untouched':
      return { status: 200, body: {} }
    default:
      return { status: 404, body: {} }
  }
}

/** One response, as every adapter test sees it. */
export interface Reply {
  status: number
  headers: Headers
  setCookies: string[]
  body: Record<string, unknown>
}

/** Sends `path` (with `cookie`, a `name=value` pair) to an app built on some store. */
export type Send = (path: string, cookie?: string) => Promise<Reply>

/** Builds the app under test on `store`, serving {@link route}; returns how to call it. */
export type Build = (store: SessionCore) => Promise<{ send: Send; close(): Promise<void> }>

/** node:http style headers (light-my-request, Fastify inject) as Fetch `Headers`. */
export function toHeaders(record: Record<string, string | string[] | number | undefined>): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item))
  }
  return headers
}

/** Sends through a real socket with `fetch` (Express and Koa apps on `server.listen(0)`). */
export function fetchSender(origin: string): Send {
  return async (path, cookie) => {
    const response = await fetch(new URL(path, origin), {
      headers: cookie ? { cookie } : {},
      redirect: 'manual',
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      setCookies: response.headers.getSetCookie(),
      body: text.startsWith('{') ? JSON.parse(text) : {},
    }
  }
}

/** The `name=value` pair of a `Set-Cookie` line. */
export function pairOf(setCookie: string | undefined): string {
  assert.ok(setCookie, 'expected a Set-Cookie')
  return setCookie.split(';')[0] ?? ''
}

/** The cookie with one character of its value changed (the MAC no longer verifies). */
export function tamper(pair: string): string {
  const at = pair.indexOf('=') + Math.floor((pair.length - pair.indexOf('=')) / 2)
  return `${pair.slice(0, at)}${pair[at] === 'A' ? 'B' : 'A'}${pair.slice(at + 1)}`
}

/**
 * Registers the behaviour every adapter must have, against the app `build` makes. `label` names
 * the adapter in test titles.
 */
export function adapterSuite(label: string, build: Build): void {
  let fx: AdapterFixture
  let app: Awaited<ReturnType<Build>>
  before(async () => {
    fx = await adapterFixture(label)
    app = await build(fx.store)
  })
  after(async () => {
    await app.close()
    await fx.close()
  })

  const saved = async (value: string) => {
    const reply = await app.send(`/set?value=${value}`)
    assert.equal(reply.status, 200)
    assert.equal(reply.setCookies.length, 1)
    const cookie = pairOf(reply.setCookies[0])
    const id = (await app.send('/id', cookie)).body.id as string
    return { reply, cookie, id }
  }

  test(`${label}: a value set is read back on the next request with the cookie`, async () => {
    const { cookie, id } = await saved('ada')
    assert.match(cookie, /^session=/)
    assert.equal(await fx.rowCount(id), 1)
    const reply = await app.send('/get', cookie)
    assert.deepEqual(reply.body, { value: 'ada', isNew: false, error: null })
    assert.deepEqual(reply.setCookies, [])
  })

  test(`${label}: Set-Cookie has HttpOnly, SameSite=Lax, Path=/, Max-Age, and no-store`, async () => {
    const { reply } = await saved('attrs')
    const line = reply.setCookies[0] ?? ''
    assert.match(line, /; Path=\/(;|$)/)
    assert.match(line, /; HttpOnly(;|$)/)
    assert.match(line, /; SameSite=Lax(;|$)/)
    assert.match(line, /; Max-Age=2592000(;|$)/)
    assert.doesNotMatch(line, /; Secure/)
    assert.equal(reply.headers.get('cache-control'), 'no-store')
    assert.match(reply.headers.get('vary') ?? '', /\bCookie\b/i)
  })

  test(`${label}: the cookie is Secure unless disabled`, async () => {
    const secure = await build(fx.secureStore)
    try {
      const reply = await secure.send('/set?value=s')
      assert.equal(reply.setCookies.length, 1)
      assert.match(reply.setCookies[0] ?? '', /; Secure(;|$)/)
    } finally {
      await secure.close()
    }
  })

  test(`${label}: a flash is shown once`, async () => {
    const first = await app.send('/flash')
    const cookie = pairOf(first.setCookies[0])
    assert.deepEqual((await app.send('/flashes', cookie)).body.flashes, ['hello'])
    assert.deepEqual((await app.send('/flashes', cookie)).body.flashes, [])
  })

  test(`${label}: destroy deletes the row and expires the cookie`, async () => {
    const { cookie, id } = await saved('gone')
    const reply = await app.send('/destroy', cookie)
    assert.equal(reply.setCookies.length, 1)
    const line = reply.setCookies[0] ?? ''
    assert.match(line, /^session=;/)
    assert.match(line, /; Max-Age=0(;|$)/)
    assert.match(line, /; Path=\/(;|$)/)
    assert.equal(await fx.rowCount(id), 0)
    assert.deepEqual((await app.send('/get', cookie)).body, {
      value: null,
      isNew: true,
      error: null,
    })
  })

  test(`${label}: renew gives a new id and cookie; the old cookie stops working`, async () => {
    const { cookie, id } = await saved('kept')
    const reply = await app.send('/renew', cookie)
    const renewed = pairOf(reply.setCookies[0])
    assert.notEqual(renewed, cookie)
    assert.notEqual((await app.send('/id', renewed)).body.id, id)
    assert.equal(await fx.rowCount(id), 0)
    assert.equal((await app.send('/get', renewed)).body.value, 'kept')
    assert.equal((await app.send('/get', cookie)).body.isNew, true)
  })

  test(`${label}: a tampered cookie starts a new session, and writes nothing`, async () => {
    const { cookie } = await saved('secret')
    const mark = fx.mark()
    const reply = await app.send('/get', tamper(cookie))
    assert.equal(reply.body.value, null)
    assert.equal(reply.body.isNew, true)
    assert.match(String(reply.body.error), /^ERR_COOKIE_/)
    assert.deepEqual(reply.setCookies, [])
    assert.deepEqual(fx.writesSince(mark), [])
  })

  test(`${label}: read-only requests send no Set-Cookie and write nothing`, async () => {
    const { cookie } = await saved('ro')
    const mark = fx.mark()
    for (const [path, withCookie] of [
      ['/get', cookie],
      ['/untouched', cookie],
      ['/untouched', undefined],
      ['/get', undefined],
    ] as const) {
      const reply = await app.send(path, withCookie)
      assert.equal(reply.status, 200)
      assert.deepEqual(reply.setCookies, [], `${path} ${withCookie ? 'with' : 'without'} cookie`)
      assert.equal(reply.headers.get('cache-control'), null)
    }
    assert.deepEqual(fx.writesSince(mark), [])
    assert.ok(fx.mark() > mark, 'the requests with a cookie read the row')
  })
}
