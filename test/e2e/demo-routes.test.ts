/**
 * The demo's routes in-process, over a real socket and PostgreSQL: pages read on GET and HEAD
 * without writing (a GET writes only to remove the flash it shows), and only the signed-in user,
 * who proved the name's password, can list and revoke that name's sessions.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { createHandler } from '../../examples/demo/routes.ts'
import { newPGStoreFromPool, type PGStore } from '../../src/index.ts'
import { countStatements, createTestSchema, type TestSchema } from '../support/pg.ts'

let db: TestSchema
let store: PGStore
let counter: ReturnType<typeof countStatements>
const servers: Server[] = []
const failures: string[] = []

before(async () => {
  db = await createTestSchema('demo routes')
  counter = countStatements(db.pool)
  store = await newPGStoreFromPool(
    db.pool,
    Buffer.from('demo-hash-key-0123456789abcdefgh'),
    Buffer.from('demo-block-key-0123456789abcdefg'),
    { cookie: { secure: false } },
  )
})
after(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await store.close()
  await db.drop()
  assert.deepEqual(failures, [], 'no request failed on the server')
})

interface Reply {
  status: number
  location: string | null
  vary: string | null
  setCookie: string | undefined
  body: string
}

type Client = (
  method: string,
  path: string,
  options?: { cookie?: string | undefined; form?: Record<string, string> },
) => Promise<Reply>

/** A demo process (its own accounts) on the shared store. */
async function demo(): Promise<Client> {
  const server = createServer(createHandler(store, '', (line) => failures.push(line)))
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = {}
    if (options.cookie) headers.cookie = options.cookie
    const init: RequestInit = { method, headers, redirect: 'manual' }
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init.body = new URLSearchParams(options.form).toString()
    }
    const response = await fetch(`${origin}${path}`, init)
    return {
      status: response.status,
      location: response.headers.get('location'),
      vary: response.headers.get('vary'),
      setCookie: response.headers.getSetCookie()[0],
      body: await response.text(),
    }
  }
}

const writes = (mark: number) =>
  counter.statementsSince(mark).filter((sql) => /\b(INSERT|UPDATE|DELETE)\b/i.test(sql))

const pair = (setCookie: string | undefined): string => {
  assert.ok(setCookie, 'expected a Set-Cookie')
  return setCookie.split(';')[0] ?? ''
}

async function signIn(client: Client, name: string, password: string): Promise<string> {
  const reply = await client('POST', '/signin', { form: { name, password } })
  assert.equal(reply.status, 303, reply.body)
  return pair(reply.setCookie)
}

async function ownedCount(name: string): Promise<number> {
  return (await store.listSessions(name)).length
}

test('anonymous GET and HEAD of every page write nothing and set no cookie', async () => {
  const client = await demo()
  const mark = counter.total()
  for (const method of ['GET', 'HEAD']) {
    for (const path of ['/', '/sessions', '/signed-out']) {
      const reply = await client(method, path)
      assert.ok(reply.status < 400, `${method} ${path}: ${reply.status}`)
      assert.equal(reply.setCookie, undefined, `${method} ${path} set a cookie`)
      assert.match(reply.vary ?? '', /\bCookie\b/, `${method} ${path} has no Vary: Cookie`)
    }
  }
  assert.deepEqual(writes(mark), [])
})

test('a signed-in user reads without writing; HEAD leaves the flash to the GET that shows it', async () => {
  const client = await demo()
  const counted = await client('POST', '/count')
  assert.equal(counted.status, 303)
  const anonymous = pair(counted.setCookie)
  const cookie = pair(
    (await client('POST', '/signin', { cookie: anonymous, form: { name: 'ada', password: 'pw' } }))
      .setCookie,
  )

  let mark = counter.total()
  const head = await client('HEAD', '/', { cookie })
  assert.equal(head.status, 200)
  assert.equal(head.setCookie, undefined)
  assert.deepEqual(writes(mark), [], 'HEAD wrote')

  const shown = await client('GET', '/', { cookie })
  assert.match(shown.body, /Welcome, ada! You are signed in\./)
  assert.match(shown.body, /data-testid="counter">1</, 'the count from before sign-in is kept')

  mark = counter.total()
  for (const path of ['/', '/sessions']) {
    const reply = await client('GET', path, { cookie })
    assert.equal(reply.status, 200)
    assert.equal(reply.setCookie, undefined, `GET ${path} set a cookie`)
    assert.doesNotMatch(reply.body, /Welcome, ada!/, 'the flash was shown once')
  }
  assert.deepEqual(writes(mark), [], 'reading pages wrote')

  await client('POST', '/count', { cookie })
  assert.match((await client('GET', '/', { cookie })).body, /data-testid="counter">2</)
})

test('only the signed-in user, with the name’s password, can revoke that name’s sessions', async () => {
  const client = await demo()
  const first = await signIn(client, 'grace', 'right')
  await signIn(client, 'grace', 'right')
  assert.equal(await ownedCount('grace'), 2)

  // Typing the name is not enough any more.
  const refused = await client('POST', '/signin', { form: { name: 'grace', password: 'wrong' } })
  assert.equal(refused.status, 401)
  assert.equal(refused.setCookie, undefined)
  assert.match(refused.body, /Wrong password/)

  // Signed in as someone else, grace's handles do nothing.
  const mallory = await signIn(client, 'mallory', 'other')
  for (const { handle } of await store.listSessions('grace')) {
    await client('POST', '/sessions/revoke', { cookie: mallory, form: { handle } })
  }
  await client('POST', '/sessions/revoke-others', { cookie: mallory })
  assert.equal(await ownedCount('grace'), 2)

  // Grace herself can.
  const listed = await client('GET', '/sessions', { cookie: first })
  const handles = [...listed.body.matchAll(/name="handle" value="([^"]+)"/g)].map((m) => m[1])
  assert.equal(handles.length, 1, 'the other device, not this one')
  const revoked = await client('POST', '/sessions/revoke', {
    cookie: first,
    form: { handle: handles[0] ?? '' },
  })
  assert.equal(revoked.status, 303)
  assert.equal(await ownedCount('grace'), 1)
})

test('after a restart, a name that still has sessions cannot be claimed with a new password', async () => {
  const before = await demo()
  await signIn(before, 'linus', 'original')
  const restarted = await demo()
  const reply = await restarted('POST', '/signin', { form: { name: 'linus', password: 'guess' } })
  assert.equal(reply.status, 409)
  assert.equal(reply.setCookie, undefined)
  assert.equal(await ownedCount('linus'), 1)
  // A fresh name is still free to claim.
  await signIn(restarted, 'new-name', 'pw')
})
