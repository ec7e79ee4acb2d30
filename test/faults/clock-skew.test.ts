/**
 * S10 clock skew: the application clock (the store's `now`, which stamps cookies) runs 10 minutes
 * ahead or behind. Expiry is decided in SQL by the database clock, so nothing changes: the row
 * lives `maxAge` from the database's `now()`, cookies minted under any skew load under any other,
 * expired rows load under none, and cleanup from a skewed process deletes no live row.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { PGStore } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { cookiePair, report, storeOn } from './support/store.ts'

const skews = { behind: -600_000, exact: 0, ahead: 600_000 } as const
type Skew = keyof typeof skews

let db: TestSchema
let stores: Record<Skew, PGStore>
before(async () => {
  db = await createTestSchema('faults clock skew')
  const make = (offset: number) =>
    storeOn(db.pool, { cookie: { secure: false, maxAge: 60 }, now: () => Date.now() + offset })
  stores = {
    behind: await make(skews.behind),
    exact: await make(0),
    ahead: await make(skews.ahead),
  }
})
after(() => db?.drop())

async function saveIn(store: PGStore): Promise<{ id: string; cookie: string }> {
  const session = await store.load(undefined, 'sid')
  session.values.user = 'ada'
  const cookie = cookiePair(await store.commit(session))
  return { id: session.id, cookie }
}

const secondsLeft = async (id: string) =>
  Number(
    (
      await db.query(
        'SELECT extract(epoch FROM expires_on - now()) AS left FROM http_sessions WHERE key = $1',
        [id],
      )
    ).rows[0]?.left,
  )

test('S10: the row expires maxAge after the DB clock whatever the app clock says', async () => {
  const left: Record<string, number> = {}
  for (const skew of Object.keys(skews) as Skew[]) {
    const session = await stores[skew].load(undefined, 'sid')
    session.values.user = skew
    await stores[skew].commit(session)
    left[skew] = await secondsLeft(session.id)
    assert.ok(Math.abs((left[skew] as number) - 60) <= 1, `${skew}: ${left[skew]} s left`)
  }
  report('S10 clock skew', { maxAge: 60, ...left })
})

test('S10: a cookie minted under any skew loads under every other', async () => {
  for (const from of Object.keys(skews) as Skew[]) {
    const { cookie } = await saveIn(stores[from])
    for (const to of Object.keys(skews) as Skew[]) {
      const loaded = await stores[to].load(cookie, 'sid')
      assert.equal(loaded.error, undefined, `${from} -> ${to}`)
      assert.equal(loaded.isNew, false, `${from} -> ${to}`)
      assert.equal(loaded.values.user, 'ada')
    }
  }
})

test('S10: an expired row loads under no skew, a live one under all', async () => {
  const expired = await saveIn(stores.exact)
  const live = await saveIn(stores.exact)
  // One second past its expiry by the DB clock; the +10 min app clock must not revive it either.
  await db.query(
    `UPDATE http_sessions SET expires_on = now() - interval '1 second' WHERE key = $1`,
    [expired.id],
  )
  for (const skew of Object.keys(skews) as Skew[]) {
    assert.equal((await stores[skew].load(expired.cookie, 'sid')).isNew, true, skew)
    assert.equal((await stores[skew].load(live.cookie, 'sid')).isNew, false, skew)
  }
})

test('S10: cleanup from a process 10 minutes ahead deletes only rows expired by the DB clock', async () => {
  const soon = await saveIn(stores.exact)
  // Expires in 5 minutes by the DB clock: already "past" for an app clock 10 minutes ahead.
  await db.query(
    `UPDATE http_sessions SET expires_on = now() + interval '5 minutes' WHERE key = $1`,
    [soon.id],
  )
  const gone = await saveIn(stores.exact)
  await db.query(
    `UPDATE http_sessions SET expires_on = now() - interval '1 second' WHERE key = $1`,
    [gone.id],
  )
  const liveBefore = Number(
    (await db.query('SELECT count(*) AS n FROM http_sessions WHERE expires_on > now()')).rows[0].n,
  )
  const pass = await stores.ahead.deleteExpired()
  const liveAfter = Number(
    (await db.query('SELECT count(*) AS n FROM http_sessions WHERE expires_on > now()')).rows[0].n,
  )
  assert.ok(pass.deleted >= 1)
  assert.equal(liveAfter, liveBefore)
  assert.equal((await stores.behind.load(soon.cookie, 'sid')).isNew, false)
  assert.equal((await stores.ahead.load(gone.cookie, 'sid')).isNew, true)
})
