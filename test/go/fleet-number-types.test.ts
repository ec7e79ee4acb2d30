/**
 * Live: Go number types survive a save by us. Go writes values of every numeric type gob carries;
 * we load the session, change another key (or a number, keeping its JavaScript type) and save; Go
 * reads back the types it wrote. Values we create follow the documented mapping.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { goInt16 } from '../../src/index.ts'
import { type Fleet, goSuiteOptions, startFleet } from './fleet.ts'
import { cookiePair } from './interop.ts'
import { normalized, type Typed } from './typed.ts'

const t = (type: string, value: unknown): Typed => ({ type, value })

/** One value of each Go number type, as Go writes them. */
const written: Record<string, Typed> = {
  f64: t('float64', 2),
  f64frac: t('float64', 2.5),
  f32: t('float32', 1.5),
  i: t('int', '7'),
  i8: t('int8', '-8'),
  i16: t('int16', '300'),
  i32: t('int32', '-70000'),
  i64: t('int64', '5'),
  i64big: t('int64', '9007199254740993'),
  u: t('uint', '9'),
  u8: t('uint8', '255'),
  u16: t('uint16', '65535'),
  u32: t('uint32', '4000000000'),
  u64: t('uint64', '5'),
  uptr: t('uintptr', '12'),
  list: t('[]interface {}', [t('int64', '1'), t('float64', 3), t('uint8', '4')]),
  nested: t('map[interface {}]interface {}', [
    { key: t('string', 'depth'), value: t('int32', '2') },
  ]),
}

const MAP = 'map[interface {}]interface {}'
const asMap = (entries: Record<string, Typed>): Typed =>
  normalized({
    type: MAP,
    value: Object.entries(entries).map(([k, v]) => ({ key: t('string', k), value: v })),
  })

describe('Go number types after our save', goSuiteOptions(import.meta.filename), () => {
  let fleet: Fleet
  before(async () => {
    fleet = await startFleet('go number types')
  })
  after(() => fleet?.close())

  test('values we did not touch keep their Go types; a changed number keeps its type', async () => {
    const goWrite = await fleet.goRequest(['hash-only'], { name: 'n', set: written, save: true })
    assert.equal(goWrite.saveError, undefined)
    const cookie = cookiePair(goWrite.setCookies?.[0])

    const store = await fleet.node(['hash-only'])
    const session = await store.load(cookie, 'n')
    assert.equal(session.error, undefined)
    const values = session.values as Record<string, unknown>
    values.other = 'changed by node'
    values.u8 = 7 // still a number in uint8's range: stays uint8
    values.f64 = 4 // still a number: stays float64, although integral
    values.i16 = 1.5 // no longer an integer: the default mapping (float64)
    values.u16 = -1 // out of uint16's range: the default mapping (int)
    values.created = 3 // new: the default mapping (int)
    values.made = goInt16(3) // new, typed by us
    await store.commit(session)

    const goRead = await fleet.goRequest(['hash-only'], { name: 'n', cookie })
    assert.equal(goRead.error, undefined)
    assert.deepEqual(
      normalized(goRead.value as Typed),
      asMap({
        ...written,
        other: t('string', 'changed by node'),
        u8: t('uint8', '7'),
        f64: t('float64', 4),
        i16: t('float64', 1.5),
        u16: t('int', '-1'),
        created: t('int', '3'),
        made: t('int16', '3'),
      }),
    )
  })

  test('values replaced by a new object follow the default mapping', async () => {
    const goWrite = await fleet.goRequest(['hash-only'], {
      name: 'm',
      set: { f64: t('float64', 2), i64: t('int64', '5') },
      save: true,
    })
    const cookie = cookiePair(goWrite.setCookies?.[0])
    const store = await fleet.node(['hash-only'])
    const session = await store.load(cookie, 'm')
    // A copy is a new object: the Go types stayed with the one the store loaded.
    session.values = { ...session.values, other: 1 }
    await store.commit(session)
    const goRead = await fleet.goRequest(['hash-only'], { name: 'm', cookie })
    assert.deepEqual(
      normalized(goRead.value as Typed),
      asMap({ f64: t('int', '2'), i64: t('int', '5'), other: t('int', '1') }),
    )
  })
})
