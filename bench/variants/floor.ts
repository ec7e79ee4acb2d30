/**
 * @module The floor on node:http: `pg` doing only the database work a session needs (see
 * `floor-db.ts`), with nothing to sign, encrypt or serialize beyond one small JSON value. `/read`
 * is one `SELECT` by key (floor 1); `/incr` is that `SELECT` plus one `UPDATE` (floor 2). The
 * cookie is the bare random key.
 */
import { createServer } from 'node:http'
import { floorRoute, setupFloor } from './floor-db.ts'
import { benchPool, listen, running } from './shared.ts'
import type { Variant } from './types.ts'

/** The floor variant. */
export const floor: Variant = {
  name: 'floor',
  label: 'floor: node:http + pg (SELECT; SELECT+UPDATE)',
  setup: setupFloor,
  async start(place) {
    const pool = benchPool(place)
    const server = createServer((req, res) => {
      floorRoute(pool, req.url ?? '/', req.headers.cookie)
        .then((answer) => {
          res.statusCode = answer.status
          if (answer.setCookie) res.setHeader('set-cookie', answer.setCookie)
          res.end(answer.body)
        })
        .catch(() => {
          res.statusCode = 500
          res.end()
        })
    })
    return running(server, await listen(server), () => pool.end())
  },
}
