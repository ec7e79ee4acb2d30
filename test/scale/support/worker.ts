/**
 * @module One worker process of the many-workers test: its own store through the URL it is given
 * (PgBouncer), its own cleanup loop every 100 ms, the counting workload for `seconds`; sends its
 * result to the parent and exits.
 */
import { newPGStore } from '../../../src/index.ts'
import { blockKey, hashKey } from '../../faults/support/store.ts'
import { failures, lostSaves, runLoad } from './load.ts'

const [url = '', seconds = '5', table = 'http_sessions'] = process.argv.slice(2)
const store = await newPGStore(url, hashKey, blockKey, {
  cookie: { secure: false },
  table,
  pool: { max: 4 },
})
let cleanups = 0
let cleanupErrors = 0
store.events.on('cleanup', (report) => {
  if (report.locked) cleanups++
})
store.events.on('error', () => cleanupErrors++)
const cleaner = store.cleanup(100)
const until = performance.now() + Number(seconds) * 1000
const run = await runLoad(store, { workers: 4, until: () => performance.now() > until })
await store.stopCleanup(cleaner)
const lost = await lostSaves(store, run.sessions)
process.send?.({
  ops: run.ops,
  failed: failures(run),
  errors: run.errors,
  lost: lost + run.regressions,
  cleanups,
  cleanupErrors,
})
await store.close()
