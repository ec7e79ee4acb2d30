/**
 * Runs the Nest example: `DATABASE_URL=... SESSION_KEY=... node --import tsx examples/nest/main.ts`,
 * then `curl -c jar -b jar http://127.0.0.1:3000/count`.
 */
import { newPGStore } from '../../src/index.ts'
import { createNestApp } from './app.ts'

const store = await newPGStore(process.env.DATABASE_URL ?? '', process.env.SESSION_KEY ?? '')
const app = await createNestApp(store)
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
