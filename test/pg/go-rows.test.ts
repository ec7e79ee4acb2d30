/**
 * Go's own pgstore rows and cookies (vectors `pgstore_rows`, recorded from the real Go pgstore)
 * replayed against PGStore with `serializer: gobSerializer`.
 *
 * Part 1 takes Go's table as Go left it: Go's schema statement, Go's rows (duplicate keys
 * included), then our `migrate`, then Go's cookies. Part 2 replays each recorded request in order:
 * the key's rows as Go had them before the request, Go's request cookie, Go's changes and save.
 * Where we deliberately differ from Go (go-reference.md §1.12: duplicate keys, expired rows that
 * still load, a missing row adopting the cookie's id, MaxAge 0 rows deleted by cleanup) the test
 * asserts our behaviour. Rows keep their age relative to Go's snapshot (see `insertGoRow`).
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  gobSerializer,
  migrate,
  newPGStoreFromPool,
  type PGStore,
  SecureCookie,
  type Session,
} from '../../src/index.ts'
import { goErrorCode, keySet } from '../codec/go-vectors.ts'
import { cookiePair } from '../go/interop.ts'
import {
  type GoRow,
  type GoStep,
  goCookieOptions,
  insertGoRow,
  parseSetCookie,
  pgstoreRows,
  snapshotEpoch,
  storeArgs,
} from '../go/pgstore-rows.ts'
import { plainBytes } from '../go/typed.ts'
import { type GoRecorded, toJs } from '../gob/go-values.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

const { schema, steps, rows_before_cleanup: goRows, rows_after_cleanup: goAfter } = pgstoreRows
const storeMaxAge = 86400 * 30

function store(db: TestSchema, keySets: readonly string[], json = false): Promise<PGStore> {
  const options = { cookie: goCookieOptions, ...(json ? {} : { serializer: gobSerializer }) }
  return newPGStoreFromPool(db.pool, ...storeArgs(keySets, options))
}

/** Go's error message as our code; `usage` for errors of Save, else those of Get. */
function codeOf(message: string, usage = false): string {
  return goErrorCode({
    message,
    go_type: '',
    is_usage: usage,
    is_decode: !usage,
    is_internal: false,
  })
}

/** The gob codec of one key set, timestamps not checked (the store never checks them either). */
function codecOf(keySetId: string): SecureCookie {
  const { hashKey, blockKey } = keySet(keySetId)
  return new SecureCookie(hashKey, blockKey).setSerializer(gobSerializer).maxAge(0)
}

const plain = (values: GoRecorded | undefined): unknown =>
  values ? toJs(values, false) : undefined
const hasOnlyStringKeys = (values: GoRecorded): boolean =>
  (values.value as Array<{ key: GoRecorded }>).every((e) => e.key.type === 'string')

/** The last step that gave the browser a cookie (not an expiring one) for `key`. */
function lastCookieFor(key: string): { step: GoStep; cookie: string } | undefined {
  const step = [...steps]
    .reverse()
    .find((s) => s.session_id === key && parseSetCookie(s.set_cookie.at(-1) ?? '').value !== '')
  return step && { step, cookie: cookiePair(step.set_cookie.at(-1)) }
}

describe("Go's table, as Go left it, migrated and read", () => {
  let db: TestSchema
  before(async () => {
    db = await createTestSchema('go rows table')
  })
  after(() => db.drop())

  // The newest row of each key is the one migration 0002 keeps.
  const newest = new Map<string, GoRow>()
  for (const row of goRows) {
    const seen = newest.get(row.key)
    const key = (r: GoRow) => [Number(r.modified_on_epoch), r.id]
    if (!seen || key(row) > key(seen)) newest.set(row.key, row)
  }

  test("Go's schema statement makes Go's indexes; Go's rows go in, duplicate keys too", async () => {
    await db.query(schema.statement)
    const indexes = await db.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'http_sessions'`,
      [db.schema],
    )
    const defs = indexes.rows.map((r) => String(r.indexdef).replace(`${db.schema}.`, '')).sort()
    assert.deepEqual(defs, [...schema.indexes].sort())
    for (const row of goRows) await insertGoRow(db, row, { withId: true })
    const count = await db.query('SELECT count(DISTINCT key)::int AS keys FROM http_sessions')
    assert.equal(count.rows[0].keys, newest.size)
    assert.ok(newest.size < goRows.length, 'the vectors hold duplicate keys')
  })

  test('migrate keeps the newest row of each key and makes keys unique', async () => {
    const result = await migrate(db.pool)
    assert.equal(result.applied.length, result.pending.length)
    assert.ok(result.applied.length >= 3)
    const ids = await db.query('SELECT id::int FROM http_sessions ORDER BY id')
    const kept = [...newest.values()].map((r) => r.id).sort((a, b) => a - b)
    assert.deepEqual(
      ids.rows.map((r) => r.id),
      kept,
    )
    // Go's INSERT of a key already there (its double save) now updates that row (migration
    // 0005), and the key stays unique.
    const row = [...newest.values()][0] as GoRow
    await insertGoRow(db, row)
    const same = await db.query('SELECT count(*)::int AS n FROM http_sessions WHERE key = $1', [
      Buffer.from(row.key, 'latin1'),
    ])
    assert.equal(same.rows[0].n, 1)
  })

  for (const row of newest.values()) {
    test(`row ${row.id} (${row.data_session_name}): Go's cookie loads Go's values`, async () => {
      const found = lastCookieFor(row.key)
      assert.ok(found, 'every kept row has a cookie in the vectors')
      const { step, cookie } = found
      assert.equal(step.session_name, row.data_session_name)
      assert.equal(step.store_key_sets[0], row.data_key_set)
      // The row's data is Go's securecookie string of Go's gob values, whatever our store makes of it.
      const direct = codecOf(row.data_key_set).decode(row.data_session_name, row.data)
      assert.deepEqual(plainBytes(direct), plain(row.data_values))

      const ours = await store(db, step.store_key_sets)
      const session = await ours.load(cookie, step.session_name)
      const expired = Number(row.expires_on_epoch) < snapshotEpoch
      const values = row.data_values as GoRecorded
      if (expired) {
        // Go loads an expired row until cleanup runs; we never do.
        assert.equal(session.error, undefined)
        assert.equal(session.isNew, true)
        assert.equal(session.id, '')
      } else if (!hasOnlyStringKeys(values)) {
        // Session values have string keys; Go's int key makes the row unreadable as a session.
        assert.equal(session.error?.code, 'ERR_COOKIE_DESERIALIZE')
        assert.equal(session.isNew, true)
      } else {
        assert.equal(session.error, undefined)
        assert.equal(session.isNew, false)
        assert.equal(session.id, row.key)
        assert.deepEqual(plainBytes(session.values), plain(values))
      }
    })

    test(`row ${row.id} (${row.data_session_name}): the default JSON serializer refuses Go's gob`, async () => {
      const { step, cookie } = lastCookieFor(row.key) as NonNullable<
        ReturnType<typeof lastCookieFor>
      >
      const json = await store(db, step.store_key_sets, true)
      // Go's cookie is a gob string whose first byte, its length, is '7': JSON reads the number 7
      // (ignoring the rest, as Go's json.Decoder does), which is no session id.
      const fromCookie = await json.load(cookie, step.session_name)
      assert.equal(fromCookie.error?.code, 'ERR_COOKIE_INVALID_ID')
      // A JSON cookie for Go's id reaches Go's row, whose gob data JSON cannot read.
      const jsonCookie = `${step.session_name}=${json.codecs[0]?.encode(step.session_name, row.key)}`
      const fromRow = await json.load(jsonCookie, step.session_name)
      const expired = Number(row.expires_on_epoch) < snapshotEpoch
      assert.equal(fromRow.error?.code, expired ? undefined : 'ERR_COOKIE_DESERIALIZE')
      for (const session of [fromCookie, fromRow]) {
        assert.equal(session.error?.kind, expired && session === fromRow ? undefined : 'decode')
        assert.equal(session.isNew, true)
        assert.equal(session.id, '')
      }
    })
  }

  test("deleteExpired removes what Go's Cleanup removed", async () => {
    const ours = await store(db, ['hash-only'])
    const report = await ours.deleteExpired()
    const expected = goAfter.map((r) => r.id).filter((id) => goRows.some((r) => r.id === id))
    const kept = new Set([...newest.values()].map((r) => r.id))
    const ids = await db.query('SELECT id::int FROM http_sessions ORDER BY id')
    assert.deepEqual(
      ids.rows.map((r) => r.id),
      expected.filter((id) => kept.has(id)),
    )
    assert.equal(report.deleted, pgstoreRows.cleanup_removed.length)
  })
})

/** Steps before which Go's harness moved the row's expiry into the past (by an unrecorded amount). */
const harnessExpired = new Set(['expired-row-loads'])

/** The key's rows just before `index`: the last earlier step's, or a corrupted copy from the end. */
function rowsBefore(index: number): GoRow[] {
  const key = steps[index]?.session_id_after_get
  if (!key) return []
  const earlier = steps
    .slice(0, index)
    .reverse()
    .find((s) => s.session_id === key)
  return (earlier?.rows_for_key_after ?? []).map(
    (row) => goRows.find((r) => r.id === row.id && !r.data_values) ?? row,
  )
}

/**
 * Go's values as session values: `typed` keeps Go's number types (GoNumber wrappers). Session
 * values have string keys only, so Go's int key (step new-aes256) has no place here.
 */
function sessionValues(values: GoRecorded, typed: boolean): Record<string, unknown> {
  const js = toJs(values, typed)
  const out: Record<string, unknown> = Object.create(null)
  const entries = js instanceof Map ? [...js] : Object.entries(js as object)
  for (const [k, v] of entries) if (typeof k === 'string') out[k] = v
  return out
}

function replaceValues(session: Session, values: GoRecorded): void {
  for (const k of Object.keys(session.values)) delete session.values[k]
  Object.assign(session.values, sessionValues(values, true))
}

describe("Go's requests replayed one by one", () => {
  let db: TestSchema
  before(async () => {
    db = await createTestSchema('go rows replay')
    await migrate(db.pool)
  })
  after(() => db.drop())
  const ourIds = new Map<string, string>()

  steps.forEach((step, index) => {
    test(`${step.id}: ${step.description}`, async () => {
      await db.query('DELETE FROM http_sessions WHERE key = $1', [Buffer.from(step.session_id)])
      const expired = harnessExpired.has(step.id)
      for (const row of rowsBefore(index)) {
        await insertGoRow(db, row, expired ? { expiredFor: 3600 } : {})
      }
      const ours = await store(db, step.store_key_sets)
      const session = await ours.load(step.request_cookie ?? null, step.session_name)

      // Get: as Go, except that a missing or expired row, or bad data, never keeps the cookie's id.
      if (step.get_error !== undefined) {
        assert.equal(session.error?.code, codeOf(step.get_error))
      } else {
        assert.equal(session.error, undefined)
      }
      if (
        step.get_error !== undefined ||
        expired ||
        (step.get_is_new && step.session_id_after_get)
      ) {
        assert.equal(session.isNew, true)
        assert.equal(session.id, '')
        assert.deepEqual(session.values, Object.create(null))
      } else {
        assert.equal(session.isNew, step.get_is_new)
        assert.equal(session.id, step.session_id_after_get)
        assert.deepEqual(plainBytes(session.values), plain(step.values_after_get))
      }

      const loaded = !session.isNew
      replaceValues(session, step.values_saved)
      session.options.maxAge = step.options_max_age
      if (step.save_error !== undefined) {
        await assert.rejects(ours.commit(session), { code: codeOf(step.save_error, true) })
        const rows = await db.query('SELECT count(*)::int AS n FROM http_sessions WHERE key = $1', [
          Buffer.from(session.id),
        ])
        assert.equal(rows.rows[0].n, 0)
        return
      }
      // Go saved one session twice in one request (two rows); a second commit here changes nothing.
      const cookie = await ours.commit(session)
      for (const _ of step.set_cookie.slice(1)) assert.equal(await ours.commit(session), undefined)
      await checkSave(db, step, session, loaded, cookie)
      if (session.id) ourIds.set(step.id, session.id)
    })
  })

  test("deleteExpired keeps our MaxAge 0 session, which Go's Cleanup deleted", async () => {
    const goStep = steps.find((s) => s.options_max_age === 0) as GoStep
    assert.ok(pgstoreRows.cleanup_removed.some((line) => line.includes(goStep.session_id)))
    const ours = await store(db, ['hash-only'])
    await ours.deleteExpired()
    const id = ourIds.get(goStep.id) as string
    const rows = await db.query('SELECT 1 FROM http_sessions WHERE key = $1', [Buffer.from(id)])
    assert.equal(rows.rowCount, 1)
  })
})

async function checkSave(
  db: TestSchema,
  step: GoStep,
  session: Session,
  loaded: boolean,
  cookie: string | undefined,
): Promise<void> {
  const goCookie = step.set_cookie.at(-1)
  const values = step.values_saved.value as unknown[]
  if (!loaded && values.length === 0) {
    // Go stored an empty new session (bad-cookie); we write nothing and send nothing.
    assert.equal(cookie, undefined)
    return
  }
  assert.ok(cookie !== undefined && goCookie !== undefined)
  const ourParts = parseSetCookie(cookie)
  const goParts = parseSetCookie(goCookie)
  assert.equal(ourParts.name, goParts.name)
  assert.deepEqual([...ourParts.attributes.keys()].sort(), [...goParts.attributes.keys()].sort())
  assert.equal(ourParts.attributes.get('path'), goParts.attributes.get('path'))
  assert.equal(ourParts.attributes.get('max-age'), goParts.attributes.get('max-age'))
  if (step.options_max_age < 0) {
    // Deleted: the same expiring cookie as Go, and no row left.
    assert.deepEqual(ourParts, goParts)
    const rows = await db.query('SELECT 1 FROM http_sessions WHERE key = $1', [
      Buffer.from(step.session_id),
    ])
    assert.equal(rows.rowCount, 0)
    return
  }
  // The cookie holds the id, in the first key set, as Go's does.
  const codec = codecOf(step.store_key_sets[0] as string)
  assert.equal(codec.decode(step.session_name, ourParts.value), session.id)
  assert.equal(codec.decode(step.session_name, goParts.value), step.session_id)
  // Go's id when we loaded Go's row; otherwise a fresh one, even where Go kept the cookie's.
  if (loaded) assert.equal(session.id, step.session_id)
  else assert.notEqual(session.id, step.session_id)

  // One row (Go sometimes left two), Go-shaped, its data encoded with the first key set.
  const rows = await db.query(
    `SELECT convert_from(data, 'SQL_ASCII') AS data,
            extract(epoch FROM expires_on - modified_on)::float8 AS life
     FROM http_sessions WHERE key = $1`,
    [Buffer.from(session.id)],
  )
  assert.equal(rows.rowCount, 1)
  for (const goRow of step.rows_for_key_after) {
    assert.equal(goRow.data_key_set, step.store_key_sets[0])
  }
  const data = codec.decode(step.session_name, rows.rows[0].data)
  assert.deepEqual(plainBytes(data), sessionValues(step.values_saved, false))
  // Lifetime: Go's for MaxAge > 0; for MaxAge 0 Go expired the row at once, we keep the store's.
  const life = Number(rows.rows[0].life)
  const goRow = step.rows_for_key_after.at(-1) as GoRow
  const goLife = Number(goRow.expires_on_epoch) - Number(goRow.modified_on_epoch)
  if (step.options_max_age > 0) assert.ok(Math.abs(life - goLife) < 2, `${life} vs ${goLife}`)
  else assert.ok(Math.abs(life - storeMaxAge) < 2 && Math.abs(goLife) < 2)
}
