/**
 * Migration 0007: one index on key, unique, under the name Go pgstore's start-up DDL looks for, so
 * that DDL stays a no-op; fillfactor back to the default.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { migrate } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

// Go pgstore's statement on every NewPGStore (antonlindstrom/pgstore, after PR #32).
const goStartupDdl = `DO $$ BEGIN CREATE TABLE IF NOT EXISTS http_sessions (id BIGSERIAL PRIMARY KEY, key BYTEA, data BYTEA, created_on TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP, modified_on TIMESTAMPTZ, expires_on TIMESTAMPTZ); CREATE INDEX IF NOT EXISTS http_sessions_expiry_idx ON http_sessions (expires_on); CREATE INDEX IF NOT EXISTS http_sessions_key_idx ON http_sessions (key); EXCEPTION WHEN insufficient_privilege THEN IF NOT EXISTS (SELECT FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'http_sessions') THEN RAISE; END IF; WHEN others THEN RAISE; END; $$;`

async function keyIndexes(db: TestSchema) {
  const result = await db.query(
    `SELECT c.relname AS name, i.indisunique AS unique
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = 'http_sessions'::regclass AND a.attname = 'key'
     ORDER BY 1`,
  )
  return result.rows
}

async function indexNames(db: TestSchema): Promise<string[]> {
  const result = await db.query(
    `SELECT indexrelid::regclass::text AS name FROM pg_index
     WHERE indrelid = 'http_sessions'::regclass ORDER BY 1`,
  )
  return result.rows.map((r: { name: string }) => r.name)
}

for (const [label, goFirst] of [
  ['a table pgstore creates', false],
  ['a table Go created first', true],
] as const) {
  test(`${label}: one unique key index named as Go names it; Go's DDL then changes nothing`, async () => {
    const db = await createTestSchema(goFirst ? 'key_index_go' : 'key_index')
    if (goFirst) await db.query(goStartupDdl)
    await migrate(db.pool)
    assert.deepEqual(await keyIndexes(db), [{ name: 'http_sessions_key_idx', unique: true }])
    const before = await indexNames(db)
    await db.query(goStartupDdl)
    assert.deepEqual(await indexNames(db), before, "Go's start-up DDL created no index")
    await assert.rejects(
      // Stamped now(), as our inserts are, so 0005's trigger (which turns Go's INSERT of an
      // existing key into an update) stands aside and the index itself answers.
      db.query(`INSERT INTO http_sessions (key, modified_on) VALUES ('K', now()), ('K', now())`),
      { code: '23505' },
      'keys stay unique',
    )
    const options = await db.query(
      `SELECT reloptions FROM pg_class WHERE oid = 'http_sessions'::regclass`,
    )
    assert.equal(options.rows[0].reloptions, null, 'fillfactor is the default again')
    await db.drop()
  })
}
