/**
 * The NestJS example boots on the Express platform and serves a session counter over real HTTP on
 * 127.0.0.1: the cookie, the count across requests, the cache headers, nothing written for a read.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { createNestApp } from '../../examples/nest/app.ts'
import { type AdapterFixture, adapterFixture, pairOf } from '../adapters/helpers.ts'

let fx: AdapterFixture
let app: NestExpressApplication
let base: string
before(async () => {
  fx = await adapterFixture('nest example')
  app = await createNestApp(fx.store, { name: 'sid' })
  await app.listen(0, '127.0.0.1')
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1')
})
after(async () => {
  await app.close()
  await fx.close()
})

test('nest: three requests count 1, 2, 3 in one session', async () => {
  const first = await fetch(`${base}/count`)
  assert.deepEqual(await first.json(), { n: 1 })
  assert.equal(first.headers.get('cache-control'), 'no-store')
  assert.match(first.headers.get('vary') ?? '', /Cookie/)
  const cookie = pairOf(first.headers.get('set-cookie') ?? undefined)
  assert.match(cookie, /^sid=/)
  for (const n of [2, 3]) {
    assert.deepEqual(await (await fetch(`${base}/count`, { headers: { cookie } })).json(), { n })
  }
  const mark = fx.mark()
  const peek = await fetch(`${base}/peek`, { headers: { cookie } })
  assert.deepEqual(await peek.json(), { n: 3 })
  assert.equal(peek.headers.get('set-cookie'), null)
  assert.deepEqual(fx.writesSince(mark), [])
})
