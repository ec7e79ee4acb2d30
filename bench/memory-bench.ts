/**
 * @module Memory against the number of distinct sessions read: a store loads `sessions` distinct
 * sessions (each its own cookie and its own row, so the cookie cache and the row cache see a new
 * entry every time) and the process's RSS and V8 heap are taken after 10,000 and after all of
 * them, each after a full garbage collection. Every cache of the store is bounded, so the two
 * should differ by little.
 *
 * Rows are made in batches by one INSERT over arrays; ids, cookies and `data` are derived from the
 * session's number when needed, so the benchmark itself holds no list of a million sessions.
 *
 * Run: node --expose-gc --import tsx bench/memory-bench.ts [sessions, default 1000000]
 */
import { createHash } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { SecureCookie } from '../src/codec/index.ts'
import { newPGStoreFromPool } from '../src/pg/new-pg-store.ts'
import { newSessionId } from '../src/session/id.ts'
import { openBenchDatabase } from './database.ts'
import { setupPgstore } from './variants/pgstore-http.ts'

/** Memory after a number of distinct sessions read. */
export interface MemoryPoint {
  sessions: number
  rssMb: number
  heapUsedMb: number
  /** The V8 heap reserved (used or not). */
  heapTotalMb: number
  /** Memory of Buffers and other objects outside the V8 heap. */
  externalMb: number
}

const hashKey = Buffer.alloc(64, 'm')
const blockKey = Buffer.alloc(32, 'k')
const schema = 'memory_bench'
const parallel = 10
const firstPoint = 10_000

const idOf = (i: number) => newSessionId(() => createHash('sha256').update(`memory-${i}`).digest())

function snapshot(sessions: number): MemoryPoint {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const usage = process.memoryUsage()
  return {
    sessions,
    rssMb: usage.rss / 2 ** 20,
    heapUsedMb: usage.heapUsed / 2 ** 20,
    heapTotalMb: usage.heapTotal / 2 ** 20,
    externalMb: usage.external / 2 ** 20,
  }
}

async function fill(pool: pg.Pool, codec: SecureCookie, sessions: number): Promise<void> {
  const batch = 5000
  for (let from = 0; from < sessions; from += batch) {
    const keys: string[] = []
    const data: string[] = []
    for (let i = from; i < Math.min(sessions, from + batch); i++) {
      keys.push(idOf(i))
      data.push(codec.encode('sid', { counter: i, user: `user-${i}` }))
    }
    await pool.query(
      `INSERT INTO http_sessions (key, data, created_on, modified_on, expires_on)
       SELECT convert_to(k, 'UTF8'), convert_to(d, 'UTF8'), now(), now(), now() + interval '30 days'
       FROM unnest($1::text[], $2::text[]) AS t(k, d)`,
      [keys, data],
    )
  }
}

/** Loads `sessions` distinct sessions; memory after {@link firstPoint} and after all. */
export async function runMemoryBench(
  url: string,
  sessions: number,
  log: (line: string) => void = () => undefined,
): Promise<MemoryPoint[]> {
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    throw new Error('run with node --expose-gc')
  }
  await setupPgstore({ url, schema })
  const pool = new pg.Pool({
    connectionString: url,
    max: parallel,
    options: `-c search_path=${schema}`,
  })
  const codec = new SecureCookie(hashKey, blockKey)
  try {
    log(`  filling ${sessions.toLocaleString('en-US')} rows`)
    await fill(pool, codec, sessions)
    await pool.query('ANALYZE http_sessions')
    const store = await newPGStoreFromPool(pool, hashKey, blockKey, {
      schema,
      migrate: false,
      cookie: { secure: false },
    })
    const points: MemoryPoint[] = []
    let next = 0
    let found = 0
    const readUpTo = async (end: number) => {
      const worker = async () => {
        while (next < end) {
          const i = next++
          const cookie = `sid=${codec.encode('sid', idOf(i))}`
          const session = await store.load(cookie, 'sid')
          if (!session.isNew && session.values.counter === i) found++
        }
      }
      await Promise.all(Array.from({ length: parallel }, worker))
    }
    await readUpTo(Math.min(firstPoint, sessions))
    points.push(snapshot(next))
    log(`  after ${next.toLocaleString('en-US')}: ${points[0]?.rssMb.toFixed(1)} MB RSS`)
    await readUpTo(sessions)
    points.push(snapshot(next))
    log(`  after ${next.toLocaleString('en-US')}: ${points[1]?.rssMb.toFixed(1)} MB RSS`)
    if (found !== sessions) throw new Error(`only ${found} of ${sessions} sessions loaded`)
    await store.close()
    return points
  } finally {
    await pool.end()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sessions = Number(process.argv[2]) || 1_000_000
  const db = await openBenchDatabase()
  try {
    const points = await runMemoryBench(db.url, sessions, console.log)
    const [small, big] = points
    if (small && big) {
      console.log(
        `RSS ${small.rssMb.toFixed(1)} MB after ${small.sessions}, ${big.rssMb.toFixed(1)} MB after ` +
          `${big.sessions}: +${(big.rssMb - small.rssMb).toFixed(1)} MB; heap used ${small.heapUsedMb.toFixed(1)} -> ${big.heapUsedMb.toFixed(1)} MB, ` +
          `reserved ${small.heapTotalMb.toFixed(1)} -> ${big.heapTotalMb.toFixed(1)} MB; ` +
          `external ${small.externalMb.toFixed(1)} -> ${big.externalMb.toFixed(1)} MB`,
      )
    }
  } finally {
    await db.close()
  }
}
