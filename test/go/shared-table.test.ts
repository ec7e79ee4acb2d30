/**
 * Live: one PostgreSQL table serving a Go pgstore (go/interop: pgstore's queries through lib/pq,
 * gorilla/sessions 1.2.1) and PGStore with `gobSerializer` at once. Each side reads and updates
 * what the other wrote, cookies included, through a key rotation. Skipped, with a printed line, only
 * when `go` is not on PATH.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  gobSerializer,
  goInt64,
  goUint8,
  newPGStoreFromPool,
  type PGStore,
  SecureCookie,
} from '../../src/index.ts'
import { keySet } from '../codec/go-vectors.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import {
  buildInterop,
  cookiePair,
  GoInterop,
  type GoRequest,
  goAvailable,
  goDsn,
  goKeys,
  reportSkip,
} from './interop.ts'
import { goCookieOptions, storeArgs } from './pgstore-rows.ts'
import { fromTyped, normalized, plainBytes, typedOf } from './typed.ts'

const hasGo = goAvailable()
if (!hasGo) reportSkip('test/go/shared-table.test.ts')

const keysOf = (...ids: string[]) => goKeys(ids.map(keySet))

async function rowsFor(db: TestSchema, id: string) {
  const result = await db.query(
    `SELECT convert_from(data, 'SQL_ASCII') AS data, owner, version::int FROM http_sessions
     WHERE key = $1`,
    [Buffer.from(id)],
  )
  return result.rows
}

describe('one table, Go pgstore and PGStore together', {
  // Only a developer machine without Go skips; in CI a missing Go fails the run instead.
  skip: hasGo || process.env.CI ? false : '`go` is not on PATH',
}, () => {
  let go: GoInterop
  let db: TestSchema
  let dsn: string
  const stores = new Map<string, PGStore>()

  /** Our store for key sets `ids` (newest first), gob values and Go's cookie attributes. */
  async function node(...ids: string[]): Promise<PGStore> {
    const key = ids.join(',')
    let store = stores.get(key)
    if (!store) {
      store = await newPGStoreFromPool(
        db.pool,
        ...storeArgs(ids, { serializer: gobSerializer, cookie: goCookieOptions }),
      )
      stores.set(key, store)
    }
    return store
  }

  /** One request to the Go pgstore on the same table. */
  const goRequest = (request: Omit<GoRequest, 'op' | 'dsn'>) =>
    go.call({ op: 'request', dsn, ...request })

  before(async () => {
    go = new GoInterop(buildInterop())
    db = await createTestSchema('go shared table')
    dsn = goDsn(db.url, db.schema)
    await node('hash-only')
  })
  after(async () => {
    await go?.close()
    for (const store of stores.values()) await store.close()
    await db?.drop()
  })

  test('lib/pq with search_path in the URL reaches the test schema', async () => {
    const answer = await goRequest({
      keys: keysOf('hash-only'),
      name: 'probe',
      set: { seen: typedOf(true) },
      save: true,
    })
    assert.equal(answer.saveError, undefined)
    const rows = await rowsFor(db, answer.id as string)
    assert.equal(rows.length, 1)
    assert.equal(rows[0].version, 1)
    assert.equal(rows[0].owner, null)
  })

  test('a session we write loads in Go with the same Go types, flashes included', async () => {
    const store = await node('aes256')
    const session = await store.load(null, 'sid')
    Object.assign(session.values, {
      user: 'ada',
      visits: 1,
      since: goInt64(1700000000123),
      ratio: 0.25,
      level: goUint8(3),
      avatar: new Uint8Array([137, 80, 78, 71]),
      admin: false,
    })
    session.addFlash('welcome')
    const cookie = await store.commit(session)
    const answer = await goRequest({
      keys: keysOf('aes256'),
      name: 'sid',
      cookie: cookiePair(cookie),
      takeFlashes: true,
    })
    assert.equal(answer.error, undefined)
    assert.equal(answer.isNew, false)
    assert.equal(answer.id, session.id)
    assert.deepEqual(normalized(answer.value as never), typedOf(session.values))
    assert.deepEqual(answer.flashes, typedOf(['welcome']))
  })

  test('a session Go writes loads in ours, and Go reads our update of it', async () => {
    const written = {
      user: 'grace',
      n: 7,
      big: goInt64(2n ** 60n),
      bytes: new Uint8Array([1, 2, 3]),
      nested: { a: [true, null] },
    }
    const set = Object.fromEntries(Object.entries(written).map(([k, v]) => [k, typedOf(v)]))
    const goSave = await goRequest({ keys: keysOf('hash-only'), name: 'sid', set, save: true })
    assert.equal(goSave.saveError, undefined)
    const setCookie = goSave.setCookies?.[0]
    assert.match(setCookie ?? '', /^sid=[^;]+; Path=\/; Expires=[^;]+; Max-Age=2592000$/)

    const store = await node('hash-only')
    const session = await store.load(cookiePair(setCookie), 'sid')
    assert.equal(session.error, undefined)
    assert.equal(session.isNew, false)
    assert.equal(session.id, goSave.id)
    assert.deepEqual(plainBytes(session.values), fromTyped(typedOf(written)))

    session.values.n = 8
    // The cookie Go just sent is fresh, so our write does not re-send it: the browser keeps Go's.
    const ours = (await store.commit(session)) ?? setCookie
    assert.ok(ours)
    const [row] = await rowsFor(db, session.id)
    assert.equal(row.version, 2)

    const goRead = await goRequest({
      keys: keysOf('hash-only'),
      name: 'sid',
      cookie: cookiePair(ours),
    })
    assert.equal(goRead.isNew, false)
    const values = normalized(goRead.value as never)
    // `big` was loaded as a plain number-or-bigint and written back unwrapped: a bigint stays int64.
    assert.deepEqual(values, typedOf({ ...written, n: 8 }))
  })

  test('key rotation in the middle: Go [old] writes, we [new, old] update, Go [new, old] reads', async () => {
    const goWrite = await goRequest({
      keys: keysOf('rot-old'),
      name: 'rot',
      set: { user: typedOf('ada'), visits: typedOf(1), since: typedOf(goInt64(1700000000)) },
      save: true,
    })
    assert.equal(goWrite.saveError, undefined)
    const id = goWrite.id as string

    const store = await node('rot-new', 'rot-old')
    const session = await store.load(cookiePair(goWrite.setCookies?.[0]), 'rot')
    assert.equal(session.isNew, false)
    assert.deepEqual(
      session.values,
      fromTyped(typedOf({ user: 'ada', visits: 1, since: 1700000000 })),
    )
    session.values.visits = 2
    session.addFlash('rotated')
    // Decoding forgets Go's int64; rewrapping keeps it an int64 in Go.
    session.values.since = goInt64(session.values.since as number)
    const cookie = await store.commit(session)
    assert.equal(session.id, id)

    // Both the row and the cookie are now in the new pair only.
    const [row] = await rowsFor(db, id)
    const { hashKey, blockKey } = keySet('rot-new')
    const newOnly = new SecureCookie(hashKey, blockKey).setSerializer(gobSerializer)
    assert.equal(newOnly.decode('rot', cookiePair(cookie).slice('rot='.length)), id)
    assert.equal((newOnly.decode('rot', row.data) as { visits: number }).visits, 2)

    // Go still on the old pair alone cannot read the new cookie: a new session and Go's error.
    const stale = await goRequest({
      keys: keysOf('rot-old'),
      name: 'rot',
      cookie: cookiePair(cookie),
    })
    assert.equal(stale.isNew, true)
    assert.equal(stale.error?.message, 'securecookie: the value is not valid')

    // Go configured [new, old] reads our update with Go's types, takes the flash and saves.
    const goRead = await goRequest({
      keys: keysOf('rot-new', 'rot-old'),
      name: 'rot',
      cookie: cookiePair(cookie),
      takeFlashes: true,
      set: { visits: typedOf(3) },
      save: true,
    })
    assert.equal(goRead.error, undefined)
    assert.equal(goRead.isNew, false)
    assert.deepEqual(goRead.flashes, typedOf(['rotated']))
    assert.deepEqual(
      normalized(goRead.value as never),
      typedOf({ user: 'ada', visits: 2, since: goInt64(1700000000), _flash: ['rotated'] }),
    )
    assert.equal(goRead.id, id)

    // And we read Go's save: visits 3, the flash gone, one row for the id.
    const again = await store.load(cookiePair(goRead.setCookies?.[0]), 'rot')
    assert.deepEqual(
      again.values,
      fromTyped(typedOf({ user: 'ada', visits: 3, since: 1700000000 })),
    )
    assert.equal((await rowsFor(db, id)).length, 1)
  })

  test('both sides writing at once: each reads every session the other wrote', async () => {
    const store = await node('hash-only')
    const writes = Array.from({ length: 10 }, async (_, i) => {
      const session = await store.load(null, 'both')
      session.values.by = 'node'
      session.values.i = i
      const goWrite = goRequest({
        keys: keysOf('hash-only'),
        name: 'both',
        set: { by: typedOf('go'), i: typedOf(i) },
        save: true,
      })
      return { node: await store.commit(session), go: (await goWrite).setCookies?.[0] }
    })
    for (const [i, written] of (await Promise.all(writes)).entries()) {
      const goReads = await goRequest({
        keys: keysOf('hash-only'),
        name: 'both',
        cookie: cookiePair(written.node),
      })
      assert.deepEqual(normalized(goReads.value as never), typedOf({ by: 'node', i }))
      const ours = await store.load(cookiePair(written.go), 'both')
      assert.deepEqual(ours.values, fromTyped(typedOf({ by: 'go', i })))
    }
    const count = await db.query(
      `SELECT count(*)::int AS n FROM http_sessions WHERE data IS NOT NULL`,
    )
    assert.ok(count.rows[0].n >= 20)
  })
})
