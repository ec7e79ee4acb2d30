/**
 * Live: the seal in `data` never ages past what a Go reader accepts. Go pgstore decodes rows with
 * its codecs' MaxAge (the store's MaxAge); a session we keep alive by touches alone is re-sealed
 * once its seal is older than `resealAfter` (default half of maxAge), in the touch's one UPDATE.
 *
 * Time is simulated with our store's injected clock, which stamps the seals: it starts 150 s in the
 * past and walks to the present, while Go (MaxAge 100 s) reads at the real present.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { PGStoreOptions } from '../../src/index.ts'
import { keySet } from '../codec/go-vectors.ts'
import { type Fleet, goSuiteOptions, startFleet } from './fleet.ts'
import { goKeys } from './interop.ts'
import { normalized, typedOf } from './typed.ts'

const maxAge = 100

describe(
  'a session kept alive by touches stays readable by Go',
  goSuiteOptions(import.meta.filename),
  () => {
    let fleet: Fleet
    before(async () => {
      fleet = await startFleet('go ageing')
    })
    after(() => fleet?.close())

    /** Creates a session at now - 150 s, touches it at -90 s and -30 s; Go reads it now. */
    async function liveThroughTouches(name: string, options: PGStoreOptions) {
      let now = Date.now() - 150_000
      // touchAfter 0: every request may touch (the table's clock has not really moved).
      const store = await fleet.node(['hash-only'], {
        ...options,
        now: () => now,
        touchAfter: 0,
        cookie: { maxAge, secure: false, httpOnly: false, sameSite: false },
      })
      const created = await store.load(null, name)
      created.values.user = 'ada'
      await store.commit(created)
      const keys = goKeys([keySet('hash-only')])
      const cookie = await fleet.go.call({ op: 'encode', keys, name, value: typedOf(created.id) })
      const header = `${name}=${cookie.encoded}`
      for (const at of [-90_000, -30_000]) {
        now = Date.now() + at
        const touched = await store.load(header, name)
        assert.equal(touched.error, undefined)
        await store.commit(touched)
      }
      const [row] = await fleet.rows(created.id)
      assert.equal(row?.version, 1, 'touches only: the values were never written again')
      return fleet.goRequest(['hash-only'], { name, cookie: header, storeMaxAge: maxAge })
    }

    test('default resealAfter (maxAge / 2): Go reads the values', async () => {
      const go = await liveThroughTouches('aged', {})
      assert.equal(go.error, undefined)
      assert.equal(go.isNew, false)
      assert.deepEqual(normalized(go.value as never), typedOf({ user: 'ada' }))
    })

    test('control, resealAfter longer than maxAge: the same touches leave a seal Go rejects', async () => {
      const go = await liveThroughTouches('stale', { resealAfter: 10 * maxAge })
      assert.equal(go.error?.message, 'securecookie: expired timestamp')
      assert.equal(go.isNew, true)
    })
  },
)
