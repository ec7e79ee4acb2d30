/** What the express-session store tests share: the store class, a secret, a session factory. */
import session from 'express-session'
import { type ExpressSessionData, expressSessionStore } from '../../src/adapters/express-session.ts'

export const PgSessionStore = expressSessionStore(session)
export const secret = 'a-secret-of-at-least-thirty-two-characters'

/** A session whose cookie expires in `s` seconds (negative: already expired), with `values`. */
export const inSeconds = (s: number, values: Record<string, unknown> = {}): ExpressSessionData => ({
  cookie: { expires: new Date(Date.now() + s * 1000), originalMaxAge: s * 1000 },
  ...values,
})
