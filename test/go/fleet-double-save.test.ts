/**
 * Live: Go pgstore's `Save` of a new session twice in one request runs its INSERT twice (IsNew stays
 * true). Migration 0005 makes the second INSERT update the row instead of failing on the unique
 * key, so the Go handler gets no error, the table keeps one row per key, and we read the result.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { keySet } from '../codec/go-vectors.ts'
import { type Fleet, goSuiteOptions, startFleet } from './fleet.ts'
import { buildInterop, cookiePair, GoInterop, goKeys } from './interop.ts'
import { fromTyped, typedOf } from './typed.ts'

describe(
  'Go saves a new session twice in one request',
  goSuiteOptions(import.meta.filename),
  () => {
    let fleet: Fleet
    before(async () => {
      fleet = await startFleet('go double save')
    })
    after(() => fleet?.close())

    test('no error, one row, the second save wins, and we read it', async () => {
      const answer = await fleet.goRequest(['hash-only'], {
        name: 'twice',
        set: { user: typedOf('ada'), n: typedOf(1) },
        save: true,
        saves: 2,
      })
      assert.equal(answer.saveError, undefined)
      const id = answer.id as string
      const rows = await fleet.rows(id)
      assert.equal(rows.length, 1)
      // The first INSERT made version 1; the second, turned into an update, moved it to 2.
      assert.equal(rows[0]?.version, 2)
      assert.equal(answer.setCookies?.length, 2)

      const store = await fleet.node(['hash-only'])
      const session = await store.load(cookiePair(answer.setCookies?.[1]), 'twice')
      assert.equal(session.error, undefined)
      assert.deepEqual(session.values, fromTyped(typedOf({ user: 'ada', n: 1 })))
    })

    test('a Go save after an undecodable row replaces that row instead of failing', async () => {
      // A row Go cannot decode (sealed under a key set Go does not have): Go's Get errors and
      // leaves the session new, so its Save INSERTs under the same key.
      const store = await fleet.node(['aes256'])
      const ours = await store.load(null, 'undecodable')
      ours.values.owner = 'node'
      await store.commit(ours)
      const cookie = await fleet.go.call({
        op: 'encode',
        keys: goKeys([keySet('hash-only')]),
        name: 'undecodable',
        value: typedOf(ours.id),
      })
      const answer = await fleet.goRequest(['hash-only'], {
        name: 'undecodable',
        cookie: `undecodable=${cookie.encoded}`,
        set: { owner: typedOf('go') },
        save: true,
      })
      assert.equal(answer.isNew, true)
      assert.match(answer.error?.message ?? '', /securecookie/)
      assert.equal(answer.saveError, undefined)
      const rows = await fleet.rows(ours.id)
      assert.equal(rows.length, 1)
      assert.equal(rows[0]?.version, 2)
    })

    test('two Go services inserting one key at once both succeed into one row', async () => {
      const other = new GoInterop(buildInterop())
      try {
        for (let round = 0; round < 10; round++) {
          // A valid cookie whose row is gone: each Go service keeps the id and INSERTs it.
          const id = `RACE${String(round).padStart(48, 'A')}`
          const keys = goKeys([keySet('hash-only')])
          const cookie = await fleet.go.call({
            op: 'encode',
            keys,
            name: 'race',
            value: typedOf(id),
          })
          const request = {
            op: 'request' as const,
            dsn: fleet.dsn,
            keys,
            name: 'race',
            cookie: `race=${cookie.encoded}`,
            save: true,
          }
          const [a, b] = await Promise.all([
            fleet.go.call({ ...request, set: { by: typedOf('a') } }),
            other.call({ ...request, set: { by: typedOf('b') } }),
          ])
          assert.equal(a.saveError, undefined)
          assert.equal(b.saveError, undefined)
          assert.equal((await fleet.rows(id)).length, 1)
        }
      } finally {
        await other.close()
      }
    })
  },
)
