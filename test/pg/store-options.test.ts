/** `resealAfter`: its default follows the store's maxAge, and a bad value is a typed usage error. */

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveStoreOptions } from '../../src/pg/store-options.ts'

test('resealAfter defaults to half of maxAge, or of 30 days for a browser-session cookie', () => {
  assert.equal(resolveStoreOptions({}).resealAfter, resolveStoreOptions({}).cookie.maxAge / 2)
  assert.equal(resolveStoreOptions({ cookie: { maxAge: 600 } }).resealAfter, 300)
  assert.equal(resolveStoreOptions({ cookie: { maxAge: 0 } }).resealAfter, 86400 * 15)
  assert.equal(resolveStoreOptions({ resealAfter: 0 }).resealAfter, 0)
})

test('resealAfter must be zero or more seconds', () => {
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => resolveStoreOptions({ resealAfter: bad }), {
      code: 'ERR_INVALID_OPTION',
      message: /resealAfter/,
    })
  }
})
