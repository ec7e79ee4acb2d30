/**
 * One Go pgstore (go/interop) and our PGStore on one fresh schema: the setup the mixed-fleet tests
 * (test/go/fleet-*.test.ts) share. Skips only on a developer machine without Go, as the other live
 * Go tests do.
 */

import {
  gobSerializer,
  newPGStoreFromPool,
  type PGStore,
  type PGStoreOptions,
} from '../../src/index.ts'
import { keySet } from '../codec/go-vectors.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import {
  buildInterop,
  GoInterop,
  type GoRequest,
  type GoResponse,
  goAvailable,
  goDsn,
  goKeys,
  reportSkip,
} from './interop.ts'
import { goCookieOptions, storeArgs } from './pgstore-rows.ts'

/** `describe` options: skip without Go on a developer machine; in CI a missing Go fails. */
export function goSuiteOptions(file: string): { skip: string | false } {
  const hasGo = goAvailable()
  if (!hasGo) reportSkip(file)
  return { skip: hasGo || process.env.CI ? false : '`go` is not on PATH' }
}

/** A Go service and Node stores on one table. */
export interface Fleet {
  db: TestSchema
  go: GoInterop
  dsn: string
  /** One Go request (Get, changes, Save) with key sets `ids`, newest first. */
  goRequest(ids: string[], request: Omit<GoRequest, 'op' | 'dsn' | 'keys'>): Promise<GoResponse>
  /** A new PGStore with key sets `ids` (newest first), gob values and Go's cookie attributes. */
  node(ids: string[], options?: PGStoreOptions): Promise<PGStore>
  /** The rows for session id `id`: data as text, version, created_on/expires_on epochs. */
  rows(id: string): Promise<Array<{ data: string; version: number; expires: number }>>
  close(): Promise<void>
}

/** Starts the Go program and makes a schema migrated by a first Node store. */
export async function startFleet(label: string): Promise<Fleet> {
  const db = await createTestSchema(label)
  const go = new GoInterop(buildInterop())
  const dsn = goDsn(db.url, db.schema)
  const stores: PGStore[] = []
  const fleet: Fleet = {
    db,
    go,
    dsn,
    goRequest: (ids, request) =>
      go.call({ op: 'request', dsn, keys: goKeys(ids.map(keySet)), ...request }),
    async node(ids, options = {}) {
      const store = await newPGStoreFromPool(
        db.pool,
        ...storeArgs(ids, { serializer: gobSerializer, cookie: goCookieOptions, ...options }),
      )
      stores.push(store)
      return store
    },
    async rows(id) {
      const result = await db.query(
        `SELECT convert_from(data, 'SQL_ASCII') AS data, version::int,
           extract(epoch FROM expires_on)::float8 AS expires
         FROM http_sessions WHERE key = $1 ORDER BY id`,
        [Buffer.from(id)],
      )
      return result.rows
    },
    async close() {
      await go.close()
      for (const store of stores) await store.close()
      await db.drop()
    },
  }
  await fleet.node(['hash-only'])
  return fleet
}
