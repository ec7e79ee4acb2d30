/**
 * Runs the h3 example on node:http: `DATABASE_URL=... SESSION_KEY=... node --import tsx
 * examples/h3/main.ts`, then `curl -c jar -b jar http://127.0.0.1:3000/`.
 */
import { createServer } from 'node:http'
import { toNodeHandler } from 'h3/node'
import { newPGStore } from '../../src/index.ts'
import { createH3App } from './app.ts'

const store = await newPGStore(process.env.DATABASE_URL ?? '', process.env.SESSION_KEY ?? '', {
  cookie: { secure: false },
})
createServer(toNodeHandler(createH3App(store))).listen(
  Number(process.env.PORT ?? 3000),
  '127.0.0.1',
)
