/**
 * Live, 50 rounds: Node and Go pgstore starting at the same moment on a fresh, empty schema (the
 * default suite runs 20 in test/go/fleet-start-race.test.ts). Our migration retries when Go's
 * `CREATE TABLE IF NOT EXISTS` commits first, so no Node start fails. Go's own statement has no
 * retry: its failures are printed, not asserted.
 */

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { goSuiteOptions } from '../go/fleet.ts'
import { buildInterop, GoInterop } from '../go/interop.ts'
import { startRace } from '../go/start-race.ts'

describe('Node and Go start at once, 50 rounds', goSuiteOptions(import.meta.filename), () => {
  let go: GoInterop
  before(() => {
    go = new GoInterop(buildInterop())
  })
  after(() => go?.close())

  test('50 simultaneous starts: 0 Node failures, every table fully migrated', async () => {
    const report = await startRace(go, 50)
    console.log(
      `start race x50: node failures ${report.nodeFailures.length}, ` +
        `go failures ${report.goFailures.length}, complete ${report.complete}`,
    )
    assert.deepEqual(report.nodeFailures, [])
    assert.equal(report.complete, 50)
  })
})
