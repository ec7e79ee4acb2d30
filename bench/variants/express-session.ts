/**
 * @module The incumbent: Express 5 with express-session and connect-pg-simple, twice: with
 * express-session's defaults (`resave` and `saveUninitialized` true: every request writes), and
 * with both false, as its README recommends (an unchanged session still costs a `touch` UPDATE).
 */
import { createServer } from 'node:http'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import { pgSimpleStore, setupPgSimple } from './connect-pg-simple.ts'
import { benchPool, listen, running } from './shared.ts'
import type { Variant } from './types.ts'

declare module 'express-session' {
  interface SessionData {
    counter: number
  }
}

function expressSessionVariant(name: string, label: string, saveAlways: boolean): Variant {
  return {
    name,
    label,
    setup: setupPgSimple,
    async start(place, secrets) {
      const pool = benchPool(place)
      const PgStore = pgSimpleStore(session)
      const store = new PgStore({
        pool,
        schemaName: place.schema,
        tableName: 'session',
        errorLog: () => undefined,
      })
      const app = express()
      app.use(
        session({
          store: store as unknown as session.Store,
          secret: secrets.secret,
          // The defaults, spelled out only to silence express-session's deprecation warning.
          resave: saveAlways,
          saveUninitialized: saveAlways,
          cookie: { secure: false },
        }),
      )
      app.get('/new', (req, res) => {
        req.session.counter = 0
        res.send('0')
      })
      app.get('/read', (req, res) => {
        res.send(String(req.session.counter ?? 0))
      })
      app.get('/incr', (req, res) => {
        req.session.counter = (req.session.counter ?? 0) + 1
        res.send(String(req.session.counter))
      })
      // Requests cut off by a restart fail on the ended pool; answer them without logging.
      app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).end()
      })
      const server = createServer(app)
      return running(server, await listen(server), async () => {
        await store.close()
        await pool.end()
      })
    },
  }
}

/** express-session with its defaults. */
export const expressSessionDefaults: Variant = expressSessionVariant(
  'express-session',
  'express-session + connect-pg-simple (defaults)',
  true,
)

/** express-session with `resave: false, saveUninitialized: false`. */
export const expressSessionTuned: Variant = expressSessionVariant(
  'express-session-tuned',
  'express-session + connect-pg-simple (resave, saveUninitialized: false)',
  false,
)
