/**
 * Live: a Node store and Go pgstore starting at the same moment on an empty schema. Go's
 * `CREATE TABLE IF NOT EXISTS` can commit the table while our migration creates it; the migration
 * then retries and finds it. Node never fails; 20 rounds here, 50 in the faults suite.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { goSuiteOptions } from './fleet.ts'
import { buildInterop, GoInterop } from './interop.ts'
import { startRace } from './start-race.ts'

describe('Node and Go start at once', goSuiteOptions(import.meta.filename), () => {
  let go: GoInterop
  before(() => {
    go = new GoInterop(buildInterop())
  })
  after(() => go?.close())

  test('20 simultaneous starts on fresh schemas: no Node start fails, every table complete', async () => {
    const report = await startRace(go, 20)
    console.log(`start race: ${JSON.stringify(report)}`)
    assert.deepEqual(report.nodeFailures, [])
    assert.equal(report.complete, 20)
  })
})
