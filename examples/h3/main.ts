/**
 * Runs the h3 example on node:http: `npx pgstore keygen > .env` once (base64 keys), then
 * `DATABASE_URL=... node --env-file=.env --import tsx examples/h3/main.ts` and
 * `curl -c jar -b jar http://127.0.0.1:3000/`.
 */
import { createServer } from 'node:http'
import { toNodeHandler } from 'h3/node'
import { newPGStore } from '../../src/index.ts'
import { createH3App } from './app.ts'

const store = await newPGStore(
  process.env.DATABASE_URL ?? '',
  Buffer.from(process.env.SESSION_HASH_KEY ?? '', 'base64'),
  {
    cookie: { secure: false },
  },
)
createServer(toNodeHandler(createH3App(store))).listen(
  Number(process.env.PORT ?? 3000),
  '127.0.0.1',
)
