/**
 * The store-API half of the bad-input catalogue (reliability.md §2b): hostile keys, strings
 * PostgreSQL text columns refuse, values JSON cannot hold, deep nesting, huge values, bad table
 * names and bad lifetimes. Each gives its typed error with nothing written, or round-trips exactly.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import {
  migrate,
  newPGStoreFromPool,
  type PGStore,
  PGStore as PGStoreClass,
  PgStoreError,
  type Session,
} from '../../src/index.ts'
import { blockKey, cookiePair, countingClient, hashKey } from '../faults/support/store.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

let db: TestSchema
let client: ReturnType<typeof countingClient>
let store: PGStore
before(async () => {
  db = await createTestSchema('bad input values')
  client = countingClient(db.pool)
  store = await newPGStoreFromPool(client, hashKey, blockKey, { cookie: { secure: false } })
})
after(() => db?.drop())

const rowCount = async () =>
  Number((await db.query('SELECT count(*) AS n FROM http_sessions')).rows[0].n)

/** A new session holding `values`, and a saved one (loaded back) holding `{ kept: 1 }`. */
async function sessions(): Promise<Session[]> {
  const saved = await store.load(undefined, 'sid')
  saved.values.kept = 1
  const cookie = cookiePair(await store.commit(saved))
  return [await store.load(undefined, 'sid'), await store.load(cookie, 'sid')]
}

/** Commit must throw `code` (kind usage) for both a new and a loaded session, sending nothing. */
async function refused(assign: (values: Record<string, unknown>) => void, codes: string[]) {
  for (const session of await sessions()) {
    const rows = await rowCount()
    assign(session.values)
    const mark = client.count
    await assert.rejects(store.commit(session), (error: unknown) => {
      assert.ok(error instanceof PgStoreError, `untyped ${String(error)}`)
      assert.equal(error.kind, 'usage')
      assert.ok(codes.includes(error.code), error.code)
      return true
    })
    assert.equal(client.count, mark, 'no statement was sent')
    assert.equal(await rowCount(), rows)
  }
}

async function roundTrip(values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const session = await store.load(undefined, 'sid')
  Object.assign(session.values, values)
  const cookie = cookiePair(await store.commit(session))
  const loaded = await store.load(cookie, 'sid')
  assert.equal(loaded.error, undefined)
  return loaded.values
}

test('__proto__ and constructor keys are plain data and never reach Object.prototype', async () => {
  const hostile = JSON.parse(
    '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}},' +
      '"a":{"b":{"c":{"d":{"__proto__":{"deep":1}}}}}}',
  )
  const session = await store.load(undefined, 'sid')
  for (const key of Object.keys(hostile)) session.values[key] = hostile[key]
  const cookie = cookiePair(await store.commit(session))
  const loaded = await store.load(cookie, 'sid')
  assert.equal(Object.getPrototypeOf(loaded.values), null)
  assert.ok(Object.hasOwn(loaded.values, '__proto__'))
  const protoKey = '__proto__'
  assert.deepEqual({ ...(loaded.values[protoKey] as object) }, { isAdmin: true })
  assert.equal(Object.getPrototypeOf(loaded.values.constructor), Object.prototype)
  const plain: Record<string, unknown> = {}
  for (const key of ['isAdmin', 'polluted', 'deep']) {
    assert.equal(plain[key], undefined, `Object.prototype.${key}`)
    assert.equal(key in Object.prototype, false)
  }
})

test('NUL, lone surrogates and other strings PostgreSQL text refuses round-trip exactly', async () => {
  const values = {
    nul: 'a\u0000b',
    high: '\ud800',
    low: 'x\udfffy',
    pair: '\ud83d\ude00',
    bom: '\ufeff',
    controls: '\u0001\u001f\u007f',
    '\u0000key': 'nul key',
    '\ud800key': 'surrogate key',
  }
  const loaded = await roundTrip(values)
  for (const [key, value] of Object.entries(values))
    assert.equal(loaded[key], value, JSON.stringify(key))
  // Any UTF-16 string, valid or not.
  const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit, maxLength: 40 }),
      fc.string({ unit, maxLength: 8 }),
      async (value, key) => {
        const back = await roundTrip({ [`k${key}`]: value })
        assert.equal(back[`k${key}`], value)
      },
    ),
    { numRuns: 50 },
  )
})

test('BigInt, cycles, functions, symbols, NaN, Infinity, Map and Set: ERR_SERIALIZE, nothing written', async () => {
  const cycle: Record<string, unknown> = {}
  cycle.self = cycle
  const bad: unknown[] = [
    1n,
    cycle,
    () => 1,
    Symbol('s'),
    Number.NaN,
    Number.POSITIVE_INFINITY,
    new Map(),
    new Set(),
  ]
  for (const value of bad) {
    await refused(
      (values) => {
        values.bad = value
      },
      ['ERR_SERIALIZE'],
    )
    await refused(
      (values) => {
        values.nested = { list: [1, { bad: value }] }
      },
      ['ERR_SERIALIZE'],
    )
  }
})

// Desired: `undefined` cannot be stored, so a save must not silently drop the key (or turn it into
// null in an array). Needs a change in src/codec/json-serializer.ts (not ours): see the report.
test('undefined values: ERR_SERIALIZE, nothing written (not silently dropped)', async () => {
  await refused(
    (values) => {
      values.gone = undefined
    },
    ['ERR_SERIALIZE'],
  )
  await refused(
    (values) => {
      values.list = [1, undefined]
    },
    ['ERR_SERIALIZE'],
  )
})

test('deep nesting (10^4, 10^5): a typed error, nothing written, and the process lives', async () => {
  for (const depth of [10_000, 100_000]) {
    let deep: unknown = 'leaf'
    for (let i = 0; i < depth; i++) deep = i % 2 ? [deep] : { d: deep }
    await refused(
      (values) => {
        values.deep = deep
      },
      ['ERR_SERIALIZE', 'ERR_VALUE_TOO_LONG'],
    )
  }
  assert.equal((await roundTrip({ after: 'ok' })).after, 'ok')
})

test('huge values: ERR_VALUE_TOO_LONG with 0 queries', async () => {
  const manyKeys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))
  const huge: Array<[string, unknown]> = [
    ['just over', 'x'.repeat(4096)],
    ['10 MB', 'x'.repeat(10 * 1024 * 1024)],
  ]
  for (const [, value] of huge) {
    await refused(
      (values) => {
        values.big = value
      },
      ['ERR_VALUE_TOO_LONG'],
    )
  }
  await refused(
    (values) => {
      Object.assign(values, manyKeys)
    },
    ['ERR_VALUE_TOO_LONG'],
  )
})

test('bad table and schema names: ERR_INVALID_IDENTIFIER before any statement', async () => {
  const names = [
    'session"; DROP TABLE x; --',
    'a"b',
    'a.b',
    'Ünïcødé',
    'a'.repeat(64),
    '',
    'Sessions',
    '1st',
    ' t',
  ]
  for (const name of names) {
    const mark = client.count
    assert.throws(() => new PGStoreClass(client, [hashKey, blockKey], { table: name }), {
      code: 'ERR_INVALID_IDENTIFIER',
    })
    assert.throws(() => new PGStoreClass(client, [hashKey, blockKey], { schema: name }), {
      code: 'ERR_INVALID_IDENTIFIER',
    })
    await assert.rejects(newPGStoreFromPool(client, hashKey, blockKey, { table: name }), {
      code: 'ERR_INVALID_IDENTIFIER',
    })
    await assert.rejects(migrate(client, { schema: name }), { code: 'ERR_INVALID_IDENTIFIER' })
    assert.equal(client.count, mark)
  }
  assert.equal((await db.query(`SELECT to_regclass('x')::text AS t`)).rows[0].t, null)
})

test('bad maxAge values: ERR_INVALID_OPTION, nothing written', async () => {
  const bad = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1.5,
    2 ** 53,
    '60' as unknown as number,
  ]
  for (const age of bad) {
    assert.throws(() => store.maxAge(age), { code: 'ERR_INVALID_OPTION' })
    assert.throws(
      () => new PGStoreClass(client, [hashKey, blockKey], { cookie: { maxAge: age } }),
      {
        code: 'ERR_INVALID_OPTION',
      },
    )
    for (const session of await sessions()) {
      session.values.x = 2
      session.options.maxAge = age
      const rows = await rowCount()
      const mark = client.count
      await assert.rejects(store.commit(session), { code: 'ERR_INVALID_OPTION' })
      assert.equal(client.count, mark)
      assert.equal(await rowCount(), rows)
    }
  }
  for (const option of ['idleTimeout', 'absoluteTimeout'] as const) {
    for (const age of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new PGStoreClass(client, [hashKey, blockKey], { [option]: age }), {
        code: 'ERR_INVALID_OPTION',
      })
    }
  }
})

test('maxAge 0 is a browser-session cookie whose row keeps the store lifetime', async () => {
  const session = await store.load(undefined, 'sid')
  session.options.maxAge = 0
  session.values.x = 1
  const header = (await store.commit(session)) ?? ''
  assert.doesNotMatch(header, /Max-Age|Expires/i)
  const left = await db.query(
    'SELECT extract(epoch FROM expires_on - now()) AS s FROM http_sessions WHERE key = $1',
    [session.id],
  )
  assert.ok(Math.abs(Number(left.rows[0].s) - 86400 * 30) < 5)
})

test('hostile handles and cookie names: typed errors with 0 queries', async () => {
  const mark = client.count
  for (const handle of ["' OR 1=1 --", '%', '_', '\\', '\u0000', '', '1'.repeat(20), '1.5']) {
    assert.equal(await store.revokeSession('ada', handle), false)
    await assert.rejects(store.revokeSessions('ada', { except: handle }), {
      code: 'ERR_INVALID_OPTION',
    })
  }
  for (const name of ['si;d', 'si d', 'sid\r\n', 'a=b', '', 'sïd']) {
    await assert.rejects(store.load('sid=x', name), { code: 'ERR_INVALID_COOKIE_NAME' })
  }
  for (const cookie of [
    { domain: 'a;b' },
    { path: '/;x' },
    { sameSite: 'none' as const, secure: false },
  ]) {
    assert.throws(() => new PGStoreClass(client, [hashKey, blockKey], { cookie }), {
      code: 'ERR_INVALID_OPTION',
    })
  }
  assert.equal(client.count, mark)
})
