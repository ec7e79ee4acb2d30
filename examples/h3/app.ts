/**
 * A small h3 v2 app (the server side of Nitro and Nuxt) with pgstore sessions: sign in with a
 * name, a flash message shown once, a visit counter, sign out. `pgstore/h3` loads the session
 * before each route and commits it after.
 */
import { H3, readBody } from 'h3'
import { destroySession, h3Sessions, renewSession, sessionOf } from '../../src/adapters/h3.ts'
import type { SessionCore } from '../../src/index.ts'

/** What the example keeps in a session. */
export type ExampleValues = { user: string; visits: number }

/** The app: `GET /` (count, and the flash once), `POST /login` (`{ user }`), `POST /logout`. */
export function createH3App(store: SessionCore, options: { name?: string } = {}): H3 {
  const app = new H3().use(h3Sessions(store, options))
  app.get('/', (event) => {
    const session = sessionOf<ExampleValues>(event)
    session.values.visits = (session.values.visits ?? 0) + 1
    return {
      user: session.values.user ?? null,
      visits: session.values.visits,
      flashes: session.flashes<string>(),
    }
  })
  app.post('/login', async (event) => {
    const body = (await readBody<{ user?: unknown }>(event)) ?? {}
    const session = sessionOf<ExampleValues>(event)
    if (typeof body.user !== 'string' || body.user === '') {
      event.res.status = 400
      return { error: 'user is required' }
    }
    // A new id at sign-in (session fixation), then the user and a one-time welcome.
    await renewSession(session)
    session.values.user = body.user
    session.addFlash(`welcome, ${body.user}`)
    return { ok: true }
  })
  app.post('/logout', async (event) => {
    await destroySession(sessionOf(event))
    return { ok: true }
  })
  return app
}
