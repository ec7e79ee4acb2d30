/**
 * `pgstore hash-ids`: every row under a plain pgstore id gets its hashed key, so a store with
 * `hashIds` finds it; rows of other shapes are left alone; a rerun converts nothing.
 */
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { after, before, test } from 'node:test'
import { newPGStoreFromPool } from '../../src/index.ts'
import { blockKey, type CliFixture, cli, cliFixture, hashKey, savedSession } from './helpers.ts'

let fx: CliFixture
before(async () => {
  fx = await cliFixture('cli hash-ids')
})
after(() => fx.close())

const keys = async (): Promise<string[]> =>
  (await fx.db.query('SELECT key FROM http_sessions ORDER BY id')).rows.map((r) =>
    Buffer.from(r.key).toString('hex'),
  )

test('hash-ids converts plain ids (SHA-256, or HMAC with --key-env) and leaves other rows', async () => {
  // One after another: the rows' ids (the order keys() lists them in) follow the array's order.
  const plain = []
  for (const n of [1, 2, 3]) plain.push(await savedSession(fx.store, { n }))
  await fx.db.query(
    `INSERT INTO http_sessions (key, data, modified_on, expires_on)
     VALUES ('express-session-sid-0123456789ab', 'x', now(), now() + interval '1 hour')`,
  )
  const run = await cli(['hash-ids', '--json', ...fx.where])
  assert.equal(run.code, 0, run.stderr)
  assert.equal(JSON.parse(run.stdout).converted, 3)
  const sha = (id: string) => createHash('sha256').update(id).digest('hex')
  assert.deepEqual(await keys(), [
    ...plain.map(({ session }) => sha(session.id)),
    Buffer.from('express-session-sid-0123456789ab').toString('hex'),
  ])
  const hashed = await newPGStoreFromPool(fx.db.pool, hashKey, blockKey, {
    cookie: { secure: false },
    hashIds: true,
  })
  for (const { cookie } of plain) assert.equal((await hashed.load(cookie, 'sid')).isNew, false)
  assert.equal(JSON.parse((await cli(['hash-ids', '--json', ...fx.where])).stdout).converted, 0)

  // HMAC under a key from the environment, as `hashIds: key` writes it.
  const other = await savedSession(fx.store, { n: 4 })
  const secret = 'cli-at-rest-key-0123456789abcdefg'
  const keyed = await cli(['hash-ids', '--key-env', 'AT_REST_KEY', ...fx.where], {
    AT_REST_KEY: secret,
  })
  assert.equal(keyed.code, 0, keyed.stderr)
  assert.match(keyed.stdout, /: 1 id\(s\) hashed/)
  const mac = createHmac('sha256', secret).update(other.session.id).digest('hex')
  assert.ok((await keys()).includes(mac))
  const missing = await cli(['hash-ids', '--key-env', 'NOT_SET', ...fx.where])
  assert.equal(missing.code, 2)
  assert.doesNotMatch(missing.stderr, new RegExp(secret))
})
