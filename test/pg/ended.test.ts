/**
 * No store path brings back an ended id: after destroy, renew, revokeSession or revokeSessions, a
 * request that loaded the session before (a change, or an unchanged read that would touch) and a
 * replayed cookie write nothing under the old id.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ConflictError, type PGStore, type Session } from '../../src/index.ts'
import { type Fixture, storeFixture } from './helpers.ts'

let fx: Fixture
let store: PGStore
before(async () => {
  fx = await storeFixture('ended', { touchAfter: 0 })
  store = fx.store
})
after(() => fx.close())

const rows = async (id: string) =>
  (await fx.db.query('SELECT count(*)::int AS n FROM http_sessions WHERE key = $1', [id])).rows[0].n

const enders: Record<string, (session: Session, owner: string) => Promise<unknown>> = {
  destroy: async (session) => {
    await store.destroy(session)
    await store.commit(session)
  },
  renew: async (session) => {
    await store.renew(session)
    await store.commit(session)
  },
  revokeSession: async (_session, owner) => {
    const [listed] = await store.listSessions(owner)
    assert.equal(await store.revokeSession(owner, listed?.handle ?? ''), true)
  },
  revokeSessions: async (_session, owner) => {
    assert.equal(await store.revokeSessions(owner), 1)
  },
}

for (const [name, end] of Object.entries(enders)) {
  test(`after ${name}, a request in flight and a replayed cookie never bring the id back`, async () => {
    const owner = `ended-${name}`
    const first = await store.load(undefined, 'sid')
    first.owner = owner
    first.values.n = 1
    const cookie = await store.commit(first)
    assert.ok(cookie)
    const id = first.id
    const changing = await store.load(cookie, 'sid')
    const reading = await store.load(cookie, 'sid')
    await end(await store.load(cookie, 'sid'), owner)
    assert.equal(await rows(id), 0)

    changing.values.n = 2
    await assert.rejects(store.commit(changing), ConflictError)
    // Unchanged and stale (touchAfter 0): the touch finds no row and sends no cookie.
    assert.equal(await store.commit(reading), undefined)
    const replayed = await store.load(cookie, 'sid')
    assert.equal(replayed.isNew, true)
    replayed.values.n = 3
    await store.commit(replayed)
    assert.notEqual(replayed.id, id, 'a replayed cookie gets a fresh id')
    assert.equal(await rows(id), 0)
  })
}
