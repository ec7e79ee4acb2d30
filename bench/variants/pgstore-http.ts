/**
 * @module pgstore on plain node:http through its public face, gorilla style: `store.get(req,
 * name)` then `store.save(req, res, session)`. No adapter.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { ConflictError } from '../../src/errors.ts'
import { migrate } from '../../src/pg/migrate.ts'
import { newPGStoreFromPool } from '../../src/pg/new-pg-store.ts'
import type { ConcurrencyMode } from '../../src/pg/store-options.ts'
import { benchPool, counterOf, listen, running, runSql } from './shared.ts'
import type { Variant } from './types.ts'

/** Sets up pgstore's table in the variant's schema and empties it. */
export async function setupPgstore(place: { url: string; schema: string }): Promise<void> {
  const pool = benchPool(place)
  try {
    await migrate(pool, { schema: place.schema })
  } finally {
    await pool.end()
  }
  await runSql(place, 'TRUNCATE http_sessions')
}

/** pgstore through `store.get` / `store.save` on node:http, in a given concurrency mode. */
function pgstoreHttpVariant(name: string, label: string, concurrency: ConcurrencyMode): Variant {
  return {
    name,
    label,
    setup: setupPgstore,
    start: (place, secrets) => startPgstoreHttp(place, secrets, concurrency),
  }
}

/** pgstore through `store.get` / `store.save` on node:http (last write wins, the default). */
export const pgstoreHttp: Variant = pgstoreHttpVariant(
  'pgstore-http',
  'pgstore: node:http, store.get/save',
  'last-write-wins',
)

/**
 * The same with optimistic versioning: a save that lost a race answers 409 instead of silently
 * overwriting, so no acknowledged increment is ever lost (the client would retry).
 */
export const pgstoreHttpOptimistic: Variant = pgstoreHttpVariant(
  'pgstore-optimistic',
  "pgstore: node:http, concurrency: 'optimistic' (409 on conflict)",
  'optimistic',
)

async function startPgstoreHttp(
  place: Parameters<Variant['start']>[0],
  secrets: Parameters<Variant['start']>[1],
  concurrency: ConcurrencyMode,
): ReturnType<Variant['start']> {
  const pool = benchPool(place)
  const store = await newPGStoreFromPool(pool, secrets.hashKey, secrets.blockKey, {
    schema: place.schema,
    migrate: false,
    cookie: { secure: false },
    concurrency,
  })
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const session = await store.get<{ counter: number }>(req, 'sid')
    if (req.url === '/new') session.values.counter = 0
    else if (req.url === '/incr') session.values.counter = counterOf(session.values) + 1
    // Saved on every route, as an adapter does: an unchanged session must cost no write.
    await store.save(req, res, session)
    res.end(String(counterOf(session.values)))
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = error instanceof ConflictError ? 409 : 500
      res.end()
    })
  })
  return running(server, await listen(server), async () => {
    await store.close()
    await pool.end()
  })
}
