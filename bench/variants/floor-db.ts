/**
 * @module The floor's database work, shared by the floor of every framework: one named prepared
 * `SELECT` by key for a read, plus one `UPDATE` for an increment, on a table of bare random keys
 * and small JSON values. Each framework's floor wraps exactly this in its own routing, so the
 * difference between a pgstore adapter and its floor is what the adapter costs.
 */
import { randomBytes } from 'node:crypto'
import type pg from 'pg'
import { runSql } from './shared.ts'
import type { Place } from './types.ts'

const select = { name: 'floor_select', text: 'SELECT data FROM floor_sessions WHERE key = $1' }
const update = { name: 'floor_update', text: 'UPDATE floor_sessions SET data = $2 WHERE key = $1' }
const insert = {
  name: 'floor_insert',
  text: 'INSERT INTO floor_sessions (key, data) VALUES ($1, $2)',
}
const cookiePattern = /(?:^|;\s*)fsid=([0-9a-f]{32})(?:;|$)/

/** What a floor route answers: a status, a body and maybe a cookie to set. */
export interface FloorAnswer {
  status: number
  body: string
  setCookie?: string
}

/** Creates the floor's table in the variant's schema and empties it. */
export async function setupFloor(place: Place): Promise<void> {
  await runSql(
    place,
    'CREATE TABLE IF NOT EXISTS floor_sessions (key text PRIMARY KEY, data text NOT NULL)',
    'TRUNCATE floor_sessions',
  )
}

/** Serves `/new`, `/read` and `/incr` for a cookie header, with the floor's statements. */
export async function floorRoute(
  pool: pg.Pool,
  path: string,
  cookieHeader: string | undefined,
): Promise<FloorAnswer> {
  if (path === '/new') {
    const key = randomBytes(16).toString('hex')
    await pool.query({ ...insert, values: [key, '{"counter":0}'] })
    return { status: 200, body: '0', setCookie: `fsid=${key}; Path=/; HttpOnly` }
  }
  const key = cookiePattern.exec(cookieHeader ?? '')?.[1]
  const found = key && (await pool.query<{ data: string }>({ ...select, values: [key] }))
  const row = found ? found.rows[0] : undefined
  if (!key || !row) return { status: 404, body: '' }
  const values = JSON.parse(row.data) as { counter: number }
  if (path === '/incr') {
    values.counter++
    await pool.query({ ...update, values: [key, JSON.stringify(values)] })
  }
  return { status: 200, body: String(values.counter) }
}
