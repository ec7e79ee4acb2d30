/**
 * Small store hardening: the stored user agent is bounded and free of control characters, a handle
 * beyond bigint names no session (false, or a usage error for `except`), and a store error's
 * `cause` never carries row contents (a live id in `Failing row contains (...)`).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { inspect } from 'node:util'
import { StoreError, UsageError } from '../../src/index.ts'
import { type Fixture, storeFixture } from './helpers.ts'

let fx: Fixture
before(async () => {
  fx = await storeFixture('hardening')
})
after(() => fx.close())

async function signedIn(owner: string, userAgent?: string) {
  const session = await fx.store.load(undefined, 'sid')
  session.owner = owner
  session.values.n = 1
  const cookie = await fx.store.commit(session, userAgent === undefined ? {} : { userAgent })
  assert.ok(cookie)
  return { session, cookie }
}

test('the stored user agent is capped at 256 characters, control characters stripped', async () => {
  const hostile = `Mozilla/5.0 \u001b[31mred\u0007\u0085\u009b2J\u007f ${'A'.repeat(15_000)}`
  await signedIn('ua-owner', hostile)
  const [listed] = await fx.store.listSessions('ua-owner')
  const stored = listed?.userAgent ?? ''
  assert.equal(stored.length, 256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  assert.doesNotMatch(stored, /[\u0000-\u001f\u007f-\u009f]/)
  assert.ok(stored.startsWith('Mozilla/5.0 [31mred2J A'))

  // Through renew too, and a surrogate pair is never cut in half.
  const { session, cookie } = await signedIn('ua-owner-2')
  const loaded = await fx.store.load(cookie, 'sid')
  await fx.store.renew(loaded, { userAgent: `${'x'.repeat(255)}😀😀` })
  const [renewed] = await fx.store.listSessions('ua-owner-2')
  assert.equal(renewed?.userAgent, `${'x'.repeat(255)}😀`)
  assert.notEqual(loaded.id, session.id)
  await fx.store.renew(await fx.store.load(await fx.store.commit(loaded), 'sid'), {
    userAgent: '\u0001\u0002',
  })
  const [blank] = await fx.store.listSessions('ua-owner-2')
  assert.equal(blank?.userAgent, renewed?.userAgent, 'an empty user agent keeps the one stored')
})

test('a handle beyond bigint: revokeSession is false, revokeSessions refuses the except', async () => {
  await signedIn('handles')
  assert.equal(await fx.store.revokeSession('handles', '99999999999999999999'.slice(0, 19)), false)
  assert.equal(await fx.store.revokeSession('handles', '9223372036854775808'), false)
  await assert.rejects(
    fx.store.revokeSessions('handles', { except: '9223372036854775808' }),
    (error) => error instanceof UsageError && error.code === 'ERR_INVALID_OPTION',
  )
  assert.equal((await fx.store.listSessions('handles')).length, 1, 'nothing was revoked')
  assert.equal(await fx.store.revokeSession('handles', '9223372036854775807'), false)
})

test("a store error's cause keeps the SQLSTATE and drops the failing row", async () => {
  // An operator's CHECK constraint rejects the row; PostgreSQL's detail would quote it, id included.
  await fx.db.query(
    "ALTER TABLE http_sessions ADD CONSTRAINT no_blocked CHECK (owner IS DISTINCT FROM 'mallory-owner')",
  )
  try {
    const session = await fx.store.load(undefined, 'sid')
    session.owner = 'mallory-owner'
    session.values.secret = 'row-contents-secret'
    const error = await fx.store.commit(session).then(
      () => assert.fail('the insert should fail'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof StoreError)
    assert.equal(error.code, 'ERR_STORE_QUERY')
    assert.equal(error.sqlState, '23514')
    const cause = error.cause as Record<string, unknown>
    assert.equal(cause.code, '23514')
    assert.equal(cause.constraint, 'no_blocked')
    const everything = inspect(error, { showHidden: true, depth: 5 })
    assert.ok(session.id.length > 0)
    for (const secret of [session.id, 'Failing row', 'mallory-owner', 'row-contents-secret']) {
      assert.ok(!everything.includes(secret), `the error shows ${secret}`)
    }
  } finally {
    await fx.db.query('ALTER TABLE http_sessions DROP CONSTRAINT no_blocked')
  }
})
