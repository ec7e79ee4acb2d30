/**
 * Connection failures reach the application as clearly as the CLI words them: a refused
 * connection, a wrong password, a missing database and a missing table each name the problem (and
 * the fix), stay typed `ERR_STORE_*`, keep the SQLSTATE, and never carry the password.
 *
 * The password case needs password authentication, which the shared test server (trust) does not
 * do: a throw-away cluster on a free loopback port gets a `scram-sha-256` line for one role.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { newPGStore, newPGStoreFromPool, StoreError } from '../../src/index.ts'
import { type Cluster, freePort, startCluster } from '../faults/support/cluster.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { hashKey } from './helpers.ts'

const password = 'correct-horse-battery-staple'
let cluster: Cluster
let db: TestSchema

before(async () => {
  db = await createTestSchema('connection errors')
  cluster = await startCluster({ password_encryption: 'scram-sha-256' })
  await cluster.sql(`CREATE ROLE app LOGIN PASSWORD '${password}'`)
  // pg_hba.conf is written by the server itself (COPY runs as its OS user), then reloaded.
  const { rows } = await cluster.sql('SHOW hba_file')
  const hbaFile = String(rows[0]?.hba_file)
  const lines = [
    'local all all trust',
    'host all app 127.0.0.1/32 scram-sha-256',
    'host all all 127.0.0.1/32 trust',
  ]
  const values = lines.map((line) => `('${line}')`).join(', ')
  await cluster.sql(`COPY (SELECT * FROM (VALUES ${values}) AS t(line)) TO '${hbaFile}'`)
  await cluster.sql('SELECT pg_reload_conf()')
})

after(async () => {
  await cluster?.destroy()
  await db?.drop()
})

/** Checks a rejection: class, code, SQLSTATE, wording; and that no password leaked. */
function failsWith(code: string, sqlState: string | undefined, wording: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof StoreError, `a StoreError, got ${String(error)}`)
    assert.equal(error.code, code)
    assert.equal(error.kind, 'store')
    assert.equal(error.sqlState, sqlState)
    assert.match(error.message, wording)
    assert.doesNotMatch(error.message, /the database rejected the query/)
    assert.ok(!error.message.includes(password) && !error.message.includes('wrong-password'))
    return true
  }
}

test('the password is checked: the right one connects (the cluster really asks for it)', async () => {
  const url = `postgres://app:${password}@127.0.0.1:${cluster.port}/postgres`
  const store = await newPGStore(url, hashKey, { migrate: false })
  await store.close()
})

test('a wrong password: "password authentication failed", SQLSTATE 28P01', async () => {
  const url = `postgres://app:wrong-password@127.0.0.1:${cluster.port}/postgres`
  await assert.rejects(
    newPGStore(url, hashKey),
    failsWith('ERR_STORE_UNAVAILABLE', '28P01', /^migrate: password authentication failed/),
  )
})

test('a missing database: "the database does not exist", SQLSTATE 3D000', async () => {
  const url = `postgres://postgres@127.0.0.1:${cluster.port}/no_such_database`
  await assert.rejects(
    newPGStore(url, hashKey),
    failsWith('ERR_STORE_UNAVAILABLE', '3D000', /^migrate: the database does not exist/),
  )
})

test('a refused connection (closed loopback port): "connection refused"', async () => {
  const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`
  await assert.rejects(
    newPGStore(url, hashKey),
    failsWith('ERR_STORE_UNAVAILABLE', undefined, /connection refused \(is PostgreSQL running/),
  )
})

test('a missing table: "does not exist: run `pgstore migrate`", SQLSTATE 42P01', async () => {
  const store = await newPGStoreFromPool(db.pool, hashKey, {
    table: 'no_such_sessions',
    migrate: false,
  })
  const session = await store.load(undefined, 'sid')
  session.values.n = 1
  await assert.rejects(
    store.commit(session),
    failsWith(
      'ERR_STORE_TABLE_MISSING',
      '42P01',
      /sessions table does not exist: run `pgstore migrate`/,
    ),
  )
})
