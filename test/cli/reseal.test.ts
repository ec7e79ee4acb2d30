/**
 * `pgstore reseal` against a real PostgreSQL and our Go pgstore: rows an older pair sealed (ours and
 * Go's) are re-sealed under the current pair in batches, so after the old pair is retired both we
 * and Go still read them; rows already current, undecodable or expired are left as they were.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { keySet } from '../codec/go-vectors.ts'
import { type Fleet, goSuiteOptions, startFleet } from '../go/fleet.ts'
import { goKeys } from '../go/interop.ts'
import { fromTyped, normalized, typedOf } from '../go/typed.ts'
import { cli } from './helpers.ts'

const b64 = (bytes: Uint8Array | null) => Buffer.from(bytes ?? []).toString('base64')

/** The environment naming [rot-new, rot-old] as `pgstore keygen`'s variables. */
function keyEnv(): Record<string, string> {
  const current = keySet('rot-new')
  const old = keySet('rot-old')
  return {
    SESSION_HASH_KEY: b64(current.hashKey),
    ...(current.blockKey ? { SESSION_BLOCK_KEY: b64(current.blockKey) } : {}),
    SESSION_HASH_KEY_2: b64(old.hashKey),
    ...(old.blockKey ? { SESSION_BLOCK_KEY_2: b64(old.blockKey) } : {}),
  }
}

describe('pgstore reseal', goSuiteOptions(import.meta.filename), () => {
  let fleet: Fleet
  before(async () => {
    fleet = await startFleet('cli reseal')
  })
  after(() => fleet?.close())

  test('re-seals old rows in batches; Node and Go read them on the new pair alone', async () => {
    const old = await fleet.node(['rot-old'])
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const session = await old.load(null, 'sid')
      session.values.i = i
      await old.commit(session)
      ids.push(session.id)
    }
    const fromGo = await fleet.goRequest(['rot-old'], {
      name: 'sid',
      set: { by: typedOf('go') },
      save: true,
    })
    const current = await fleet.node(['rot-new'])
    const already = await current.load(null, 'sid')
    already.values.i = 'current'
    await current.commit(already)
    const other = await fleet.node(['aes256'])
    const foreign = await other.load(null, 'sid')
    foreign.values.i = 'foreign'
    await other.commit(foreign)
    const expiredOne = await old.load(null, 'sid')
    expiredOne.values.i = 'expired'
    await old.commit(expiredOne)
    await fleet.db.query(
      `UPDATE http_sessions SET expires_on = now() - interval '1 s'
      WHERE key = $1`,
      [Buffer.from(expiredOne.id)],
    )
    const before = await fleet.db.query(
      `SELECT key, data, version, expires_on FROM http_sessions ORDER BY id`,
    )

    const where = ['--schema', fleet.db.schema]
    const run = await cli(['reseal', '--name', 'sid', '--batch', '3', '--json', ...where], keyEnv())
    assert.equal(run.code, 0, run.stderr)
    const report = JSON.parse(run.stdout)
    assert.deepEqual(
      { ...report, durationMs: 0, table: '' },
      {
        table: '',
        scanned: 8,
        resealed: 6,
        current: 1,
        undecodable: 1,
        changed: 0,
        batches: 3,
        durationMs: 0,
      },
    )
    // Progress on stderr, one line per batch (not a terminal here).
    assert.equal(run.stderr.trim().split('\n').length, 3)

    // Only the six old rows changed, and only their data.
    const afterRows = await fleet.db.query(
      `SELECT key, data, version, expires_on FROM http_sessions ORDER BY id`,
    )
    const changedKeys = afterRows.rows
      .filter((row, i) => !row.data.equals(before.rows[i].data))
      .map((row) => row.key.toString())
    assert.equal(changedKeys.length, 6)
    assert.ok(!changedKeys.includes(expiredOne.id) && !changedKeys.includes(foreign.id))
    for (const [i, row] of afterRows.rows.entries()) {
      assert.equal(row.version, before.rows[i].version)
      assert.equal(row.expires_on.getTime(), before.rows[i].expires_on.getTime())
    }

    const retired = await fleet.node(['rot-new'])
    for (const [i, id] of ids.entries()) {
      // The applications now sign the same id under the new pair.
      const keys = goKeys([keySet('rot-new')])
      const fresh = await fleet.go.call({ op: 'encode', keys, name: 'sid', value: typedOf(id) })
      const ours = await retired.load(`sid=${fresh.encoded}`, 'sid')
      assert.equal(ours.error, undefined)
      assert.deepEqual(ours.values, fromTyped(typedOf({ i })))
      const go = await fleet.goRequest(['rot-new'], { name: 'sid', cookie: `sid=${fresh.encoded}` })
      assert.equal(go.error, undefined)
      assert.deepEqual(normalized(go.value as never), typedOf({ i }))
    }
    const keys = goKeys([keySet('rot-new')])
    const goCookie = await fleet.go.call({
      op: 'encode',
      keys,
      name: 'sid',
      value: typedOf(fromGo.id),
    })
    const goRead = await fleet.goRequest(['rot-new'], {
      name: 'sid',
      cookie: `sid=${goCookie.encoded}`,
    })
    assert.equal(goRead.error, undefined)
    assert.deepEqual(normalized(goRead.value as never), typedOf({ by: 'go' }))

    // A second pass finds nothing left to do.
    const again = await cli(['reseal', '--name', 'sid', '--json', ...where], keyEnv())
    assert.equal(JSON.parse(again.stdout).resealed, 0)
  })

  test('usage errors: no --name, no keys, bad base64', async () => {
    const where = ['--schema', fleet.db.schema]
    const noName = await cli(['reseal', ...where], keyEnv())
    assert.equal(noName.code, 2)
    assert.match(noName.stderr, /--name is required/)
    const noKeys = await cli(['reseal', '--name', 'sid', ...where], { SESSION_HASH_KEY: undefined })
    assert.equal(noKeys.code, 2)
    assert.match(noKeys.stderr, /SESSION_HASH_KEY/)
    const bad = await cli(['reseal', '--name', 'sid', ...where], {
      SESSION_HASH_KEY: 'not base64!',
    })
    assert.equal(bad.code, 2)
    assert.doesNotMatch(bad.stderr, /not base64!/)
  })
})
