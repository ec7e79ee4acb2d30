/**
 * Node and Go starting at once on an empty schema: our migrations and Go pgstore's
 * `CREATE TABLE IF NOT EXISTS` block race on the catalog. Shared by the default suite (20 rounds)
 * and the faults suite (50 rounds).
 */

import { newPGStoreFromPool } from '../../src/index.ts'
import { keySet } from '../codec/go-vectors.ts'
import { createTestSchema } from '../support/pg.ts'
import { type GoInterop, goDsn } from './interop.ts'

/** What the rounds saw: Node failures (must be none) and Go's own (its statement has no retry). */
export interface StartRaceReport {
  rounds: number
  nodeFailures: string[]
  goFailures: string[]
  /** Rounds where the table ended with our unique key index and the full ledger. */
  complete: number
}

/** Runs `rounds` simultaneous starts, each on a fresh schema. */
export async function startRace(go: GoInterop, rounds: number): Promise<StartRaceReport> {
  const report: StartRaceReport = { rounds, nodeFailures: [], goFailures: [], complete: 0 }
  const { hashKey } = keySet('hash-only')
  for (let round = 0; round < rounds; round++) {
    const db = await createTestSchema('go start race')
    try {
      const [node, goStart] = await Promise.allSettled([
        newPGStoreFromPool(db.pool, hashKey),
        go.call({ op: 'start', keys: [], name: '', dsn: goDsn(db.url, db.schema) }),
      ])
      if (node.status === 'rejected') {
        report.nodeFailures.push(`${(node.reason as { code?: string }).code}`)
      } else await node.value.close()
      if (goStart.status === 'rejected') report.goFailures.push(String(goStart.reason))
      else if (!goStart.value.ok) report.goFailures.push(goStart.value.error?.message ?? '?')
      const check = await db.query(
        `SELECT to_regclass('pgstore_migrations') IS NOT NULL AS ledger,
           EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a
             ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = to_regclass('http_sessions') AND i.indisunique
               AND i.indnatts = 1 AND a.attname = 'key') AS uniq`,
      )
      if (check.rows[0]?.ledger && check.rows[0]?.uniq) {
        const applied = await db.query('SELECT count(*)::int AS n FROM pgstore_migrations')
        if (applied.rows[0]?.n >= 5) report.complete++
      }
    } finally {
      await db.drop()
    }
  }
  return report
}
