/**
 * Live: key rotation across a mixed fleet. A row sealed under an older key pair is re-sealed under
 * the current pair by the next save of the session, even one that changed nothing, so the old pair
 * can be retired without losing the session, in our store or in Go's.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { keySet } from '../codec/go-vectors.ts'
import { type Fleet, goSuiteOptions, startFleet } from './fleet.ts'
import { cookiePair, goKeys } from './interop.ts'
import { fromTyped, normalized, typedOf } from './typed.ts'

const values = { user: 'ada', visits: 3 }

describe('rotation, then retiring the old key pair', goSuiteOptions(import.meta.filename), () => {
  let fleet: Fleet
  before(async () => {
    fleet = await startFleet('go rotation')
  })
  after(() => fleet?.close())

  /** A cookie for `id` signed by Go with key sets `ids`. */
  async function goCookie(name: string, id: string, ids: string[]): Promise<string> {
    const keys = goKeys(ids.map(keySet))
    const answer = await fleet.go.call({ op: 'encode', keys, name, value: typedOf(id) })
    return `${name}=${answer.encoded}`
  }

  test('an unchanged save after rotation re-seals the row: Node and Go read it on the new pair alone', async () => {
    const old = await fleet.node(['rot-old'])
    const created = await old.load(null, 'rot')
    Object.assign(created.values, values)
    const oldCookie = await old.commit(created)

    const rotated = await fleet.node(['rot-new', 'rot-old'])
    const seen = await rotated.load(cookiePair(oldCookie), 'rot')
    assert.equal(seen.error, undefined)
    const newCookie = await rotated.commit(seen)
    assert.ok(newCookie, 'the cookie signed by the old pair is re-issued')
    const [row] = await fleet.rows(created.id)
    // The values did not change, so the version did not either; only the seal did.
    assert.equal(row?.version, 1)

    const retired = await fleet.node(['rot-new'])
    const later = await retired.load(cookiePair(newCookie), 'rot')
    assert.equal(later.error, undefined)
    assert.equal(later.isNew, false)
    assert.deepEqual(later.values, fromTyped(typedOf(values)))

    const go = await fleet.goRequest(['rot-new'], { name: 'rot', cookie: cookiePair(newCookie) })
    assert.equal(go.error, undefined)
    assert.equal(go.isNew, false)
    assert.deepEqual(normalized(go.value as never), typedOf(values))
  })

  test('a row still under the old pair is re-sealed even when the cookie is already new', async () => {
    // Go on the old pair wrote the row; the browser holds a cookie signed by the new pair.
    const written = await fleet.goRequest(['rot-old'], {
      name: 'mixed',
      set: { user: typedOf('grace') },
      save: true,
    })
    const id = written.id as string
    const cookie = await goCookie('mixed', id, ['rot-new'])
    const rotated = await fleet.node(['rot-new', 'rot-old'])
    const seen = await rotated.load(cookie, 'mixed')
    assert.equal(seen.error, undefined)
    await rotated.commit(seen)

    const go = await fleet.goRequest(['rot-new'], { name: 'mixed', cookie })
    assert.equal(go.error, undefined)
    assert.deepEqual(normalized(go.value as never), typedOf({ user: 'grace' }))
  })

  test('the re-seal never undoes a write that came between our load and our save', async () => {
    const written = await fleet.goRequest(['rot-old'], {
      name: 'race',
      set: { n: typedOf(1) },
      save: true,
    })
    const cookie = cookiePair(written.setCookies?.[0])
    const rotated = await fleet.node(['rot-new', 'rot-old'])
    const seen = await rotated.load(cookie, 'race')
    // Go (on both pairs, old first: it still writes with the old one) updates the row meanwhile.
    const goWrite = await fleet.goRequest(['rot-old', 'rot-new'], {
      name: 'race',
      cookie,
      set: { n: typedOf(2) },
      save: true,
    })
    assert.equal(goWrite.saveError, undefined)
    await rotated.commit(seen)
    const go = await fleet.goRequest(['rot-old'], { name: 'race', cookie })
    assert.deepEqual(normalized(go.value as never), typedOf({ n: 2 }))
  })
})
