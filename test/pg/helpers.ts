/**
 * Shared setup for the PGStore tests: a store on a fresh schema, and requests and responses as
 * plain Fetch objects.
 */
import { newPGStoreFromPool, type PGStore, type PGStoreOptions } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

export const hashKey = Buffer.from('hash-key-0123456789abcdefghijklm')
export const blockKey = Buffer.from('block-key-0123456789abcdefghijkl')

export interface Fixture {
  db: TestSchema
  store: PGStore
  close(): Promise<void>
}

/** A migrated store on its own schema. */
export async function storeFixture(label: string, options: PGStoreOptions = {}): Promise<Fixture> {
  const db = await createTestSchema(label)
  const store = await newPGStoreFromPool(db.pool, hashKey, blockKey, {
    cookie: { secure: false },
    ...options,
  })
  return {
    db,
    store,
    close: async () => {
      await store.close()
      await db.drop()
    },
  }
}

/** A request carrying `cookie` (a `Set-Cookie` line or `name=value`). */
export function request(cookie?: string, headers: Record<string, string> = {}): Request {
  const init: Record<string, string> = { ...headers }
  if (cookie) init.cookie = cookie.split(';')[0] ?? ''
  return new Request('http://localhost/', { headers: init })
}

/** The `Set-Cookie` lines appended to `headers`. */
export function setCookies(headers: Headers): string[] {
  return headers.getSetCookie()
}
