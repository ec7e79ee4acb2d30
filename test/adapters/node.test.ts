/**
 * The node:http adapter through light-my-request: the shared adapter suite, then the ways a
 * handler can send its response (all must carry the cookie) and a failed save.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { inject } from 'light-my-request'
import { nodeSessions } from '../../src/adapters/node.ts'
import { type Session, type SessionCore, StoreError } from '../../src/index.ts'
import {
  type AdapterFixture,
  adapterFixture,
  adapterSuite,
  pairOf,
  route,
  type Send,
  toHeaders,
} from './helpers.ts'

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

function sender(handler: Handler): Send {
  return async (path, cookie) => {
    const res = await inject(handler, { url: path, headers: cookie ? { cookie } : {} })
    return {
      status: res.statusCode,
      headers: toHeaders(res.headers),
      setCookies: toHeaders(res.headers).getSetCookie(),
      body: res.payload.startsWith('{') ? JSON.parse(res.payload) : {},
    }
  }
}

adapterSuite('node', async (store) => {
  const sessions = nodeSessions(store)
  return {
    send: sender(async (req, res) => {
      const result = await route(req.url ?? '/', await sessions(req, res))
      res.setHeader('content-type', 'application/json')
      res.statusCode = result.status
      res.end(JSON.stringify(result.body))
    }),
    close: async () => {},
  }
})

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('node extra')
})
after(() => fx.close())

/** Sets a value with `respond`, then checks the cookie came with it and loads the value back. */
async function carriesCookie(respond: (res: ServerResponse) => void, body: string) {
  const sessions = nodeSessions(fx.store)
  const handler: Handler = async (req, res) => {
    const session = await sessions(req, res)
    if (req.url === '/read') {
      res.end(String(session.values.n ?? 'none'))
      return
    }
    session.values.n = 42
    respond(res)
  }
  const first = await inject(handler, { url: '/' })
  assert.equal(first.statusCode, 200)
  assert.equal(first.payload, body)
  const cookie = pairOf(toHeaders(first.headers).getSetCookie()[0])
  const second = await inject(handler, { url: '/read', headers: { cookie } })
  assert.equal(second.payload, '42')
}

test('node: res.end() called directly carries the cookie', async () => {
  await carriesCookie((res) => res.end('done'), 'done')
})

test('node: res.writeHead(200).end() chaining carries the cookie', async () => {
  await carriesCookie((res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 'ok')
})

test('node: streaming write() calls carry the cookie and keep their order', async () => {
  await carriesCookie((res) => {
    assert.equal(res.write('a'), true)
    assert.equal(res.write('b'), true)
    res.end('c')
  }, 'abc')
})

test('node: flushHeaders() first still sends the cookie with the headers', async () => {
  await carriesCookie((res) => {
    res.flushHeaders()
    res.end('flushed')
  }, 'flushed')
})

test('node: a Set-Cookie passed to writeHead (object or flat array) is kept with the session cookie', async () => {
  const sessions = nodeSessions(fx.store)
  const forms: Array<Record<string, string> | string[]> = [
    { 'Set-Cookie': 'theme=dark; Path=/' },
    ['Set-Cookie', 'theme=dark; Path=/', 'content-type', 'text/plain'],
  ]
  for (const headers of forms) {
    const res = await inject(
      async (req, res) => {
        ;(await sessions(req, res)).values.n = 1
        res.writeHead(200, headers).end()
      },
      { url: '/' },
    )
    const cookies = toHeaders(res.headers).getSetCookie()
    assert.equal(cookies.length, 2, JSON.stringify(headers))
    assert.ok(cookies.includes('theme=dark; Path=/'))
    assert.ok(cookies.some((c) => c.startsWith('session=')))
  }
})

test('node: on a real socket, a streamed response carries the cookie and every chunk', async () => {
  const sessions = nodeSessions(fx.store)
  const chunk = 'x'.repeat(64 * 1024)
  const server = createServer(async (req, res) => {
    ;(await sessions(req, res)).values.n = 1
    for (let i = 0; i < 32; i += 1) res.write(chunk)
    await new Promise((resolve) => setTimeout(resolve, 5))
    res.end('end')
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    assert.match(response.headers.getSetCookie()[0] ?? '', /^session=/)
    const body = await response.text()
    assert.equal(body.length, 32 * chunk.length + 3)
    assert.ok(body.endsWith('end'))
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('node: one session per name per request, and session.save() works without arguments', async () => {
  const sessions = nodeSessions(fx.store)
  const res = await inject(
    async (req, res) => {
      const a = await sessions(req, res)
      assert.equal(await sessions(req, res), a)
      const other = await sessions(req, res, 'other')
      assert.notEqual(other, a)
      a.values.x = 1
      other.values.y = 2
      await other.save()
      res.end()
    },
    { url: '/' },
  )
  const names = toHeaders(res.headers)
    .getSetCookie()
    .map((line) => line.split('=')[0])
    .sort()
  assert.deepEqual(names, ['other', 'session'])
})

test('node: a failed save answers 500, not the handler response, and reaches onError', async () => {
  const failing: SessionCore = {
    load: (header, name, context) => fx.store.load(header, name, context),
    commit: async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'the database is down')
    },
  }
  const seen: unknown[] = []
  const plain = nodeSessions(failing)
  const withHandler = nodeSessions(failing, { onError: (error) => void seen.push(error) })
  const handler = (sessions: typeof plain) => async (req: IncomingMessage, res: ServerResponse) => {
    ;(await sessions(req, res)).values.n = 1
    res.setHeader('content-length', '7')
    res.end('success')
  }
  for (const sessions of [plain, withHandler]) {
    const res = await inject(handler(sessions), { url: '/' })
    assert.equal(res.statusCode, 500)
    assert.equal(res.payload, 'Internal Server Error')
    assert.equal(res.headers['set-cookie'], undefined)
  }
  assert.equal(seen.length, 1)
  assert.ok(seen[0] instanceof StoreError && seen[0].code === 'ERR_STORE_UNAVAILABLE')
})

test('node: onError may send its own response', async () => {
  const failing: SessionCore = {
    load: (header, name, context) => fx.store.load(header, name, context),
    commit: async () => {
      throw new StoreError('ERR_STORE_TIMEOUT', 'too slow')
    },
  }
  const sessions = nodeSessions(failing, {
    onError: (_error, _req, res) => {
      res.writeHead(503, { 'retry-after': '1' }).end('try again')
    },
  })
  const res = await inject(
    async (req, res) => {
      ;(await sessions(req, res)).values.n = 1
      res.end('success')
    },
    { url: '/' },
  )
  assert.equal(res.statusCode, 503)
  assert.equal(res.payload, 'try again')
})

test('node: a failed load rejects, and is retried by the next call', async () => {
  let calls = 0
  const flaky: SessionCore = {
    load: async <V extends object>(
      header: string | null | undefined,
      name: string,
    ): Promise<Session<V>> => {
      calls += 1
      if (calls === 1) throw new StoreError('ERR_STORE_UNAVAILABLE', 'down')
      return fx.store.load<V>(header, name)
    },
    commit: (session, context) => fx.store.commit(session, context),
  }
  const sessions = nodeSessions(flaky)
  const res = await inject(
    async (req, res) => {
      await assert.rejects(sessions(req, res), StoreError)
      const session = await sessions(req, res)
      res.end(String(session.isNew))
    },
    { url: '/' },
  )
  assert.equal(res.payload, 'true')
  assert.equal(calls, 2)
})
