/**
 * Backpressure while the save is pending (node adapter, and Express built on it): with the
 * session's row locked by another transaction the save cannot finish, and a handler that honours
 * `write()`'s answer must be told to wait after about one high-water mark, not allowed to buffer
 * its whole 200 MB download. Once the lock goes, `'drain'` comes and the download completes.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import express from 'express'
import { expressSessions, sessionOf } from '../../src/adapters/express.ts'
import { nodeSessions } from '../../src/adapters/node.ts'
import type { Session, SessionValues } from '../../src/index.ts'
import { type AdapterFixture, adapterFixture, pairOf } from './helpers.ts'

const TOTAL = 200 * 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 'x')
const BOUND = 16 * 1024 * 1024

let fx: AdapterFixture
before(async () => {
  fx = await adapterFixture('backpressure')
})
after(() => fx.close())

/** What the streaming handler saw: bytes it wrote before its first wait, the largest buffer. */
interface Stream {
  /** Resolves with the bytes written when `write()` first answered `false`, or all of them. */
  firstWait: Promise<number>
  maxBuffered: number
}

/**
 * A handler body: changes the session (so the save must write the locked row), then streams
 * {@link TOTAL} bytes, waiting for `'drain'` whenever `write()` says so.
 */
function streamer(stream: Stream, settle: (written: number) => void) {
  return async (session: Session<SessionValues>, res: ServerResponse) => {
    session.values.downloads = 1
    res.setHeader('content-type', 'application/octet-stream')
    let written = 0
    let waited = false
    while (written < TOTAL) {
      const ok = res.write(CHUNK)
      written += CHUNK.length
      stream.maxBuffered = Math.max(stream.maxBuffered, res.writableLength)
      if (!ok) {
        // What `pipe()` checks before writing: it must agree with the answer just given.
        assert.equal(res.writableNeedDrain, true)
        if (!waited) settle(written)
        waited = true
        await once(res, 'drain')
      }
    }
    // A handler never told to wait buffered everything: that is its "first wait".
    if (!waited) settle(written)
    res.end()
  }
}

async function download(
  label: string,
  handlerFor: (
    body: ReturnType<typeof streamer>,
  ) => (req: IncomingMessage, res: ServerResponse) => void,
) {
  let settle: (written: number) => void = () => undefined
  const stream: Stream = {
    firstWait: new Promise((resolve) => {
      settle = resolve
    }),
    maxBuffered: 0,
  }
  const server = createServer(handlerFor(streamer(stream, settle))).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const locker = await fx.db.pool.connect()
  try {
    // A session with a row, so the handler's change is an UPDATE of that row.
    const first = await fetch(`${origin}/start`)
    await first.arrayBuffer()
    const cookie = pairOf(first.headers.getSetCookie()[0])
    const id = (await fx.store.load(cookie, 'session')).id

    await locker.query('BEGIN')
    await locker.query('SELECT 1 FROM http_sessions WHERE key = $1 FOR UPDATE', [id])
    const response = fetch(`${origin}/download`, { headers: { cookie } })
    const writtenBeforeWait = await stream.firstWait
    // The lock is still held, so the save is still pending: the handler had to stop by now.
    assert.ok(
      writtenBeforeWait < BOUND,
      `${label}: ${writtenBeforeWait} bytes written before write() answered false`,
    )
    await locker.query('ROLLBACK')

    const reply = await response
    assert.equal(reply.status, 200)
    let received = 0
    for await (const chunk of reply.body as AsyncIterable<Uint8Array>) received += chunk.byteLength
    assert.equal(received, TOTAL)
    assert.ok(stream.maxBuffered < BOUND, `${label}: ${stream.maxBuffered} bytes buffered`)
    const saved = await fx.store.load(cookie, 'session')
    assert.equal(saved.values.downloads, 1)
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined)
    locker.release()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

test('node: write() answers false past the high-water mark while the save waits on a locked row, and drain follows', {
  timeout: 120_000,
}, async () => {
  const sessions = nodeSessions(fx.store)
  await download('node', (body) => (req, res) => {
    void (async () => {
      const session = await sessions(req, res)
      if (req.url === '/start') {
        session.values.started = true
        res.end()
      } else await body(session, res)
    })()
  })
})

test('express: a streamed download is held to the high-water mark while the save waits', {
  timeout: 120_000,
}, async () => {
  await download('express', (body) => {
    const app = express()
    app.use(expressSessions(fx.store))
    app.get('/start', (req, res) => {
      sessionOf(req).values.started = true
      res.end()
    })
    app.get('/download', (req, res) => body(sessionOf(req), res))
    return app
  })
})
