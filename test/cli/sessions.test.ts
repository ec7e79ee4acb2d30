/**
 * `pgstore sessions list|revoke` against a real PostgreSQL: an owner's sessions by handle, and
 * revoked sessions no longer loading from their cookies.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type CliFixture, cli, cliFixture, savedSession } from './helpers.ts'

let fx: CliFixture
before(async () => {
  fx = await cliFixture('cli sessions')
})
after(() => fx.close())

interface Listed {
  handle: string
  createdOn: string
  lastActive: string
  expiresOn: string
  userAgent: string | null
}

async function list(owner: string): Promise<Listed[]> {
  const run = await cli(['sessions', 'list', '--owner', owner, '--json', ...fx.where])
  assert.equal(run.code, 0, run.stderr)
  const body = JSON.parse(run.stdout) as { owner: string; sessions: Listed[] }
  assert.equal(body.owner, owner)
  return body.sessions
}

async function loads(cookie: string): Promise<boolean> {
  return !(await fx.store.load(cookie, 'sid')).isNew
}

test('list shows the owner’s live sessions with handles, dates and user agents, never an id', async () => {
  const a = await savedSession(fx.store, { n: 1 }, 'list-ada', 'Firefox/1')
  const b = await savedSession(fx.store, { n: 2 }, 'list-ada', 'Safari/2')
  await savedSession(fx.store, { n: 3 }, 'list-bob', 'Chrome/3')
  const run = await cli(['sessions', 'list', '--owner', 'list-ada', '--json', ...fx.where])
  for (const { session, cookie } of [a, b]) {
    assert.ok(!run.stdout.includes(session.id))
    assert.ok(!run.stdout.includes(cookie.split('=')[1] ?? '-'))
  }
  const sessions = await list('list-ada')
  assert.deepEqual(sessions.map((s) => s.userAgent).sort(), ['Firefox/1', 'Safari/2'])
  const rows = await fx.db.query(
    `SELECT id::text AS handle, created_on, expires_on FROM http_sessions WHERE owner = 'list-ada'`,
  )
  assert.deepEqual(sessions.map((s) => s.handle).sort(), rows.rows.map((r) => r.handle).sort())
  for (const s of sessions) {
    const row = rows.rows.find((r) => r.handle === s.handle)
    assert.equal(s.createdOn, row.created_on.toISOString())
    assert.equal(s.expiresOn, row.expires_on.toISOString())
  }

  const text = await cli(['sessions', 'list', '--owner', 'list-ada', ...fx.where])
  assert.match(text.stdout, /^HANDLE +CREATED +LAST ACTIVE +EXPIRES +USER AGENT$/m)
  for (const s of sessions)
    assert.match(text.stdout, new RegExp(`^${s.handle} .* ${s.userAgent}$`, 'm'))
})

test('list of an owner with no sessions says so', async () => {
  const run = await cli(['sessions', 'list', '--owner', 'nobody', ...fx.where])
  assert.equal(run.code, 0)
  assert.equal(run.stdout, 'no live sessions for owner nobody\n')
  assert.deepEqual(await list('nobody'), [])
})

test('a hostile user agent is printed escaped, not as terminal control codes', async () => {
  await savedSession(fx.store, { n: 1 }, 'list-eve')
  // The store strips control characters itself; rows from older writers may still hold them.
  await fx.db.query("UPDATE http_sessions SET user_agent = $1 WHERE owner = 'list-eve'", [
    'evil\x1b]0;pwned\x07agent',
  ])
  const run = await cli(['sessions', 'list', '--owner', 'list-eve', ...fx.where])
  assert.ok(!run.stdout.includes('\x1b'))
  assert.match(run.stdout, /evil\\u001b\]0;pwned\\u0007agent$/m)
})

test('C1 and bidirectional controls are escaped in list output, text and --json alike', async () => {
  // NEL, CSI (the 8-bit ESC [), DEL, a right-to-left override and an isolate: raw, each would move
  // the cursor or reorder what the operator reads.
  const agent = 'a\u0085b\u009b31mc\u007fd\u202eevil\u2066e'
  await savedSession(fx.store, { n: 1 }, 'list-c1', 'plain')
  // Written behind the store, as any writer of the shared table (a Go service, an old row) could.
  await fx.db.query("UPDATE http_sessions SET user_agent = $1 WHERE owner = 'list-c1'", [agent])
  const raw = /[\u007f-\u009f\u202e\u2066]/
  const text = await cli(['sessions', 'list', '--owner', 'list-c1', ...fx.where])
  assert.equal(text.code, 0, text.stderr)
  assert.doesNotMatch(text.stdout, raw)
  assert.match(text.stdout, /a\\u0085b\\u009b31mc\\u007fd\\u202eevil\\u2066e$/m)
  const json = await cli(['sessions', 'list', '--owner', 'list-c1', '--json', ...fx.where])
  assert.equal(json.code, 0, json.stderr)
  assert.doesNotMatch(json.stdout, raw)
  assert.ok(json.stdout.includes('a\\u0085b\\u009b31mc\\u007fd\\u202eevil\\u2066e'))
  // The escapes read back as the stored user agent.
  assert.equal(JSON.parse(json.stdout).sessions[0].userAgent, agent)
})

test('revoke --except HANDLE signs the owner out everywhere else', async () => {
  const kept = await savedSession(fx.store, { n: 1 }, 'rev-ada', 'keep')
  const others = [
    await savedSession(fx.store, { n: 2 }, 'rev-ada', 'drop1'),
    await savedSession(fx.store, { n: 3 }, 'rev-ada', 'drop2'),
  ]
  const bystander = await savedSession(fx.store, { n: 4 }, 'rev-bob')
  const handle = (await list('rev-ada')).find((s) => s.userAgent === 'keep')?.handle ?? ''
  const run = await cli([
    'sessions',
    'revoke',
    '--owner',
    'rev-ada',
    '--except',
    handle,
    ...fx.where,
  ])
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.stdout, 'revoked 2 session(s) of owner rev-ada\n')
  assert.deepEqual(
    (await list('rev-ada')).map((s) => s.handle),
    [handle],
  )
  assert.equal(await loads(kept.cookie), true)
  for (const { cookie } of others) assert.equal(await loads(cookie), false)
  assert.equal(await loads(bystander.cookie), true)
})

test('revoke --handle deletes one session; revoke alone deletes all; --json reports the count', async () => {
  const sessions = [
    await savedSession(fx.store, { n: 1 }, 'rev-cy', 'one'),
    await savedSession(fx.store, { n: 2 }, 'rev-cy', 'two'),
    await savedSession(fx.store, { n: 3 }, 'rev-cy', 'three'),
  ]
  const one = (await list('rev-cy')).find((s) => s.userAgent === 'one')?.handle ?? ''
  const single = await cli([
    'sessions',
    'revoke',
    '--owner',
    'rev-cy',
    '--handle',
    one,
    '--json',
    ...fx.where,
  ])
  assert.deepEqual(JSON.parse(single.stdout), { owner: 'rev-cy', revoked: 1 })
  assert.equal(await loads(sessions[0]?.cookie ?? ''), false)
  assert.equal(await loads(sessions[1]?.cookie ?? ''), true)
  // A handle of another owner is not this owner's to revoke.
  const bob = (await list('rev-bob'))[0]?.handle ?? ''
  const foreign = await cli([
    'sessions',
    'revoke',
    '--owner',
    'rev-cy',
    '--handle',
    bob,
    '--json',
    ...fx.where,
  ])
  // It matches nothing: exit 2 and a JSON error on stderr, and bob keeps his session.
  assert.equal(foreign.code, 2)
  assert.equal(foreign.stdout, '')
  assert.equal(JSON.parse(foreign.stderr).error.code, 'ERR_INVALID_OPTION')
  assert.equal((await list('rev-bob')).length, 1)

  const all = await cli(['sessions', 'revoke', '--owner', 'rev-cy', '--json', ...fx.where])
  assert.deepEqual(JSON.parse(all.stdout), { owner: 'rev-cy', revoked: 2 })
  for (const { cookie } of sessions) assert.equal(await loads(cookie), false)
  assert.deepEqual(await list('rev-cy'), [])
})
