/**
 * @module The floor: node:http and `pg` doing only the database work a session needs, with
 * nothing to sign, encrypt or serialize beyond one small JSON value. `/read` is one `SELECT` by
 * key (floor 1); `/incr` is that `SELECT` plus one `UPDATE` (floor 2). Both are named prepared
 * statements. The cookie is the bare random key.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { benchPool, listen, running, runSql } from './shared.ts'
import type { Variant } from './types.ts'

const select = { name: 'floor_select', text: 'SELECT data FROM floor_sessions WHERE key = $1' }
const update = { name: 'floor_update', text: 'UPDATE floor_sessions SET data = $2 WHERE key = $1' }
const insert = {
  name: 'floor_insert',
  text: 'INSERT INTO floor_sessions (key, data) VALUES ($1, $2)',
}
const cookiePattern = /(?:^|;\s*)fsid=([0-9a-f]{32})(?:;|$)/

/** The floor variant. */
export const floor: Variant = {
  name: 'floor',
  label: 'floor: node:http + pg (SELECT; SELECT+UPDATE)',
  async setup(place) {
    await runSql(
      place,
      'CREATE TABLE IF NOT EXISTS floor_sessions (key text PRIMARY KEY, data text NOT NULL)',
      'TRUNCATE floor_sessions',
    )
  },
  async start(place) {
    const pool = benchPool(place)
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/new') {
        const key = randomBytes(16).toString('hex')
        await pool.query({ ...insert, values: [key, '{"counter":0}'] })
        res.setHeader('set-cookie', `fsid=${key}; Path=/; HttpOnly`)
        res.end('0')
        return
      }
      const key = cookiePattern.exec(req.headers.cookie ?? '')?.[1]
      const found = key && (await pool.query<{ data: string }>({ ...select, values: [key] }))
      const row = found ? found.rows[0] : undefined
      if (!key || !row) {
        res.statusCode = 404
        res.end()
        return
      }
      const values = JSON.parse(row.data) as { counter: number }
      if (req.url === '/incr') {
        values.counter++
        await pool.query({ ...update, values: [key, JSON.stringify(values)] })
      }
      res.end(String(values.counter))
    }
    const server = createServer((req, res) => {
      handle(req, res).catch(() => {
        res.statusCode = 500
        res.end()
      })
    })
    return running(server, await listen(server), () => pool.end())
  },
}
