/**
 * Live: Go pgstore loads a row past its expires_on (no expiry check on load), and its Save then
 * brings the row back for another MaxAge with the old values. What our side does about it, as the
 * README claims: we never load an expired row ourselves; a resurrected row is indistinguishable
 * from a Go write, so we accept it, unless `absoluteTimeout` is set (Go never moves created_on);
 * and once our cleanup has deleted the row, Go starts an empty session instead.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Fleet, goSuiteOptions, startFleet } from './fleet.ts'
import { cookiePair } from './interop.ts'
import { fromTyped, normalized, typedOf } from './typed.ts'

describe("Go's expired rows", goSuiteOptions(import.meta.filename), () => {
  let fleet: Fleet
  before(async () => {
    fleet = await startFleet('go expired rows')
  })
  after(() => fleet?.close())

  /** A session of ours with `values`, then expired (and created `ageSec` ago). */
  async function expiredSession(name: string, ageSec = 0) {
    const store = await fleet.node(['hash-only'])
    const session = await store.load(null, name)
    session.values.user = 'ada'
    const cookie = cookiePair(await store.commit(session))
    await fleet.db.query(
      `UPDATE http_sessions SET expires_on = now() - interval '1 second',
         created_on = now() - make_interval(secs => $2) WHERE key = $1`,
      [Buffer.from(session.id), ageSec],
    )
    return { store, cookie, id: session.id }
  }

  test('Go loads an expired row and its save revives it for 30 days; we then accept it', async () => {
    const { store, cookie, id } = await expiredSession('revive')
    assert.equal((await store.load(cookie, 'revive')).isNew, true, 'we never load it expired')

    const go = await fleet.goRequest(['hash-only'], {
      name: 'revive',
      cookie,
      set: { seen: typedOf(true) },
      save: true,
    })
    assert.equal(go.isNew, false)
    assert.deepEqual(normalized(go.value as never), typedOf({ user: 'ada' }))
    const [row] = await fleet.rows(id)
    assert.ok((row?.expires ?? 0) > Date.now() / 1000 + 29 * 86400, 'alive for another 30 days')

    const revived = await store.load(cookie, 'revive')
    assert.equal(revived.isNew, false)
    assert.deepEqual(revived.values, fromTyped(typedOf({ user: 'ada', seen: true })))
  })

  test('with absoluteTimeout we refuse the revived row: Go never moves created_on', async () => {
    const { cookie } = await expiredSession('capped', 7200)
    const go = await fleet.goRequest(['hash-only'], {
      name: 'capped',
      cookie,
      set: { seen: typedOf(true) },
      save: true,
    })
    assert.equal(go.saveError, undefined)
    const capped = await fleet.node(['hash-only'], { absoluteTimeout: 3600 })
    const session = await capped.load(cookie, 'capped')
    assert.equal(session.isNew, true)
    assert.deepEqual({ ...session.values }, {})
  })

  test('after our cleanup deleted the row, Go starts an empty session under the old id', async () => {
    const { store, cookie, id } = await expiredSession('cleaned')
    const report = await store.deleteExpired()
    assert.ok(report.deleted >= 1)
    const go = await fleet.goRequest(['hash-only'], {
      name: 'cleaned',
      cookie,
      set: { fresh: typedOf(1) },
      save: true,
    })
    assert.equal(go.error, undefined)
    assert.equal(go.isNew, true)
    assert.deepEqual(normalized(go.value as never), typedOf({}))
    // Go's pitfall: it keeps the cookie's id; the row it inserts holds only its new values.
    assert.equal(go.id, id)
    const ours = await store.load(cookie, 'cleaned')
    assert.deepEqual(ours.values, fromTyped(typedOf({ fresh: 1 })))
  })
})
