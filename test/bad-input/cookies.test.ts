/**
 * The bad-cookie catalogue (reliability.md §2a) through `store.load(header, name)`: every class
 * gives a new session whose `error` is a typed `decode` error, sends no query, and a commit of that
 * session writes nothing and sends no cookie. Duplicates: the first cookie of a name wins.
 * Timestamps: the row's expiry in SQL decides, not the cookie's (see the last tests).
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { after, before, test } from 'node:test'
import {
  type ErrorCode,
  encodeMulti,
  newPGStoreFromPool,
  type PGStore,
  PgStoreError,
  SecureCookie,
} from '../../src/index.ts'
import { blockKey, cookiePair, countingClient, hashKey } from '../faults/support/store.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

let db: TestSchema
let client: ReturnType<typeof countingClient>
let store: PGStore
let valid: string
let validId: string
before(async () => {
  db = await createTestSchema('bad input cookies')
  client = countingClient(db.pool)
  store = await newPGStoreFromPool(client, hashKey, blockKey, { cookie: { secure: false } })
  const session = await store.load(undefined, 'sid')
  session.values.user = 'ada'
  valid = cookiePair(await store.commit(session)).slice('sid='.length)
  validId = session.id
})
after(() => db?.drop())

const rowCount = async () =>
  Number((await db.query('SELECT count(*) AS n FROM http_sessions')).rows[0].n)

/** Loads `header`; asserts a typed decode error, 0 queries, and a commit that writes nothing. */
async function rejected(header: string, codes?: readonly ErrorCode[], name = 'sid') {
  const mark = client.count
  const session = await store.load(header, name)
  assert.equal(session.isNew, true)
  assert.ok(
    session.error instanceof PgStoreError,
    `no error for ${JSON.stringify(header.slice(0, 60))}`,
  )
  assert.equal(session.error.kind, 'decode')
  if (codes)
    assert.ok(
      codes.includes(session.error.code),
      `${session.error.code} for ${header.slice(0, 60)}`,
    )
  assert.equal(await store.commit(session), undefined)
  assert.equal(client.count, mark, 'no statement was sent')
  return session.error.code
}

/** The outer layer of the valid cookie: `timestamp|payload|mac`. */
const outer = () => Buffer.from(valid, 'base64url')
/** Padded base64url, the only spelling the codec accepts (as Go's `URLEncoding`). */
const reencode = (bytes: Buffer) => {
  const text = bytes.toString('base64url')
  return text.padEnd(Math.ceil(text.length / 4) * 4, '=')
}

/** A cookie with a valid MAC (computed with the test key) over `timestamp|payload`. */
function signed(timestamp: string, payload: string): string {
  const mac = createHmac('sha256', hashKey).update(`sid|${timestamp}|${payload}`).digest()
  return reencode(Buffer.concat([Buffer.from(`${timestamp}|${payload}|`, 'latin1'), mac]))
}

const parts = () => {
  const bytes = outer()
  const p1 = bytes.indexOf(0x7c)
  const p2 = bytes.indexOf(0x7c, p1 + 1)
  return {
    timestamp: bytes.subarray(0, p1).toString('latin1'),
    payload: bytes.subarray(p1 + 1, p2).toString('latin1'),
    mac: bytes.subarray(p2 + 1),
  }
}

test('the valid cookie loads (control)', async () => {
  const session = await store.load(`sid=${valid}`, 'sid')
  assert.equal(session.error, undefined)
  assert.equal(session.values.user, 'ada')
})

test('empty and degenerate values', async () => {
  const raw = ['', '||', '|||', 'cookie', '|', 'a|b|c']
  const variants = raw.flatMap((v) => [
    v,
    Buffer.from(v).toString('base64'),
    Buffer.from(v).toString('base64url'),
  ])
  for (const value of variants) await rejected(`sid=${value}`)
  await rejected('sid=  ')
  // No cookie at all is not an error: just no session.
  for (const header of ['', 'other=1', ';;;', '=']) {
    const session = await store.load(header, 'sid')
    assert.equal(session.isNew, true)
    assert.equal(session.error, undefined)
  }
})

test('non-base64url characters: ERR_COOKIE_BASE64', async () => {
  for (const bad of ['!', '%', '*', '.', ' ', '\t', '=', '+', '/', '"', '\\']) {
    await rejected(`sid=${valid.slice(0, 20)}${bad}${valid.slice(21)}`, ['ERR_COOKIE_BASE64'])
  }
  await rejected(`sid=${valid}==`, ['ERR_COOKIE_BASE64'])
})

test('unicode and control characters: ERR_COOKIE_BASE64', async () => {
  for (const bad of ['é', '😀', '\u202e', '\u200b', '\ud800', '\u0000', '\u007f']) {
    await rejected(`sid=${valid.slice(0, 20)}${bad}${valid.slice(21)}`, ['ERR_COOKIE_BASE64'])
  }
})

test('every truncation is a decode error', async () => {
  for (let n = 1; n < valid.length; n++) await rejected(`sid=${valid.slice(0, n)}`)
})

test('extended cookies: MAC or base64 error', async () => {
  const codes: ErrorCode[] = ['ERR_COOKIE_MAC_INVALID', 'ERR_COOKIE_BASE64']
  for (const value of [
    `${valid}x`,
    `x${valid}`,
    `${valid}.garbage`,
    `garbage.${valid}`,
    `${valid}AAAA`,
  ]) {
    await rejected(`sid=${value}`, codes)
  }
})

test('every byte flip of the signed layer: ERR_COOKIE_MAC_INVALID', async () => {
  const bytes = outer()
  for (let i = 0; i < bytes.length; i++) {
    const flipped = Buffer.from(bytes)
    flipped[i] = (flipped[i] as number) ^ (1 << (i % 8))
    await rejected(`sid=${reencode(flipped)}`, ['ERR_COOKIE_MAC_INVALID'])
  }
})

test('MACs of the wrong length: ERR_COOKIE_MAC_INVALID, never a RangeError', async () => {
  const { timestamp, payload, mac } = parts()
  for (const length of [0, 1, 31, 33, 64]) {
    const wrong = Buffer.alloc(length, 7)
    mac.copy(wrong, 0, 0, Math.min(length, mac.length))
    const value = Buffer.concat([Buffer.from(`${timestamp}|${payload}|`, 'latin1'), wrong])
    await rejected(`sid=${reencode(value)}`, ['ERR_COOKIE_MAC_INVALID'])
  }
})

test('oversize values: ERR_COOKIE_TOO_LONG before any decoding', async () => {
  // 'A'… is valid base64 with no separator: any step after the length check would fail with
  // another code, so TOO_LONG shows the length was checked first.
  for (const length of [4097, 16 * 1024, 1024 * 1024]) {
    await rejected(`sid=${'A'.repeat(length)}`, ['ERR_COOKIE_TOO_LONG'])
  }
})

test('a cookie minted for another name or under other keys: ERR_COOKIE_MAC_INVALID', async () => {
  await rejected(`other=${valid}`, ['ERR_COOKIE_MAC_INVALID'], 'other')
  const foreign = new SecureCookie(
    'another-hash-key-0123456789abcde',
    'another-block-key-0123456789abcd',
  )
  await rejected(`sid=${foreign.encode('sid', validId)}`, ['ERR_COOKIE_MAC_INVALID'])
})

test('a valid MAC over a bad timestamp: ERR_COOKIE_TIMESTAMP', async () => {
  const { payload } = parts()
  for (const timestamp of ['', '+', '1e309', '9223372036854775808', '0x10', ' 1']) {
    await rejected(`sid=${signed(timestamp, payload)}`, ['ERR_COOKIE_TIMESTAMP'])
  }
})

test('a valid MAC over a bad body: decrypt, deserialize or id errors', async () => {
  const { timestamp } = parts()
  const short = reencode(Buffer.alloc(8, 1))
  await rejected(`sid=${signed(timestamp, short)}`, ['ERR_COOKIE_DECRYPT'])
  await rejected(`sid=${signed(timestamp, 'not base64!')}`, ['ERR_COOKIE_BASE64'])
  for (const value of ['not-an-id', 42, { id: validId }, validId.toLowerCase(), `${validId}A`]) {
    await rejected(`sid=${encodeMulti('sid', value, store.codecs)}`, ['ERR_COOKIE_INVALID_ID'])
  }
})

test('percent-encoding is not decoded: %3D, %00 and %ZZ are ERR_COOKIE_BASE64', async () => {
  const padded = valid.endsWith('=') ? valid : `${valid.slice(0, -1)}=`
  await rejected(`sid=${padded.replace(/=/g, '%3D')}`, ['ERR_COOKIE_BASE64'])
  await rejected(`sid=${valid.slice(0, 20)}%00${valid.slice(20)}`, ['ERR_COOKIE_BASE64'])
  await rejected(`sid=${valid.slice(0, 20)}%ZZ${valid.slice(20)}`, ['ERR_COOKIE_BASE64'])
})

test('duplicate cookies: the first of the name wins, values are never merged', async () => {
  await rejected(`sid=garbage; sid=${valid}`, ['ERR_COOKIE_MAC_INVALID', 'ERR_COOKIE_BASE64'])
  const first = await store.load(`sid=${valid}; sid=garbage`, 'sid')
  assert.equal(first.error, undefined)
  assert.equal(first.values.user, 'ada')
  const other = await store.load(`other=x; sid=${valid}; sid=${valid}`, 'sid')
  assert.equal(other.values.user, 'ada')
})

test('a well-signed id with no row is never adopted and nothing is written for it', async () => {
  const rows = await rowCount()
  const unknown = `${'A'.repeat(51)}Q`
  const session = await store.load(`sid=${encodeMulti('sid', unknown, store.codecs)}`, 'sid')
  assert.equal(session.isNew, true)
  assert.equal(session.error, undefined)
  assert.equal(await store.commit(session), undefined)
  assert.equal(await rowCount(), rows)
  session.values.x = 1
  await store.commit(session)
  assert.notEqual(session.id, unknown)
  assert.equal(
    (await db.query('SELECT 1 FROM http_sessions WHERE key = $1', [unknown])).rowCount,
    0,
  )
})

test('expired and future cookie timestamps: the codec flags them; the store lets the row decide', async () => {
  const day = 86_400_000
  const at = (offset: number) =>
    new SecureCookie(hashKey, blockKey, { now: () => Date.now() + offset }).encode('sid', validId)
  const old = at(-40 * day)
  const future = at(+1 * day)
  // The codec alone (store's maxAge, 30 days) rejects the old one as expired.
  assert.throws(() => store.codecs[0]?.decode('sid', old), { code: 'ERR_COOKIE_EXPIRED' })
  // Through the store the row's expiry in SQL is the authority: a live row loads under both...
  for (const value of [old, future]) {
    const session = await store.load(`sid=${value}`, 'sid')
    assert.equal(session.error, undefined)
    assert.equal(session.values.user, 'ada')
  }
  // ...and once the row expired by the DB clock, neither loads, and nothing is written.
  await db.query(
    `UPDATE http_sessions SET expires_on = now() - interval '1 second' WHERE key = $1`,
    [validId],
  )
  const rows = await rowCount()
  for (const value of [old, future, valid]) {
    const session = await store.load(`sid=${value}`, 'sid')
    assert.equal(session.isNew, true)
    assert.equal(await store.commit(session), undefined)
  }
  assert.equal(await rowCount(), rows)
})
