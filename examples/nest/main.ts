/**
 * Runs the Nest example: `npx pgstore keygen > .env` once (base64 keys), then
 * `DATABASE_URL=... node --env-file=.env --import tsx examples/nest/main.ts` and
 * `curl -c jar -b jar http://127.0.0.1:3000/count`.
 */
import { newPGStore } from '../../src/index.ts'
import { createNestApp } from './app.ts'

const store = await newPGStore(
  process.env.DATABASE_URL ?? '',
  Buffer.from(process.env.SESSION_HASH_KEY ?? '', 'base64'),
)
const app = await createNestApp(store)
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
