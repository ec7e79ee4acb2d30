/**
 * @module Type tests: an `interface` works as a session's values type everywhere a `type` alias
 * does; values stay typed through load, get, save and the typed accessors; a non-object is refused.
 * Compiled by `npm run typecheck`, never run.
 */
import type { Request } from 'express'
import type { FastifyRequest } from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { sessionOf as expressSessionOf, expressSessions } from '../../src/adapters/express.ts'
import { createFastifySessions, sessionOf as fastifySessionOf } from '../../src/adapters/fastify.ts'
import { fetchSessions } from '../../src/adapters/fetch.ts'
import { honoSessions, type SessionVariables } from '../../src/adapters/hono.ts'
import { koaSessions } from '../../src/adapters/koa.ts'
import { nodeSessions } from '../../src/adapters/node.ts'
import {
  CookieStore,
  type PGStore,
  type ResponseLike,
  type Session,
  type SessionValues,
} from '../../src/index.ts'
import { type Equals, expectFalse, expectTrue, type IsAny } from './equals.ts'

/** An interface: no index signature, which `Record<string, unknown>` alone would require. */
interface Account {
  user: string
  roles: string[]
}

export async function storeProbes(store: PGStore, res: ResponseLike): Promise<void> {
  const got = await store.get<Account>({ headers: {} }, 'sid')
  expectTrue<Equals<typeof got, Session<Account>>>(true)
  expectTrue<Equals<typeof got.values, Partial<Account>>>(true)
  expectTrue<Equals<typeof got.values.roles, string[] | undefined>>(true)
  const loaded = await store.load<Account>(undefined, 'sid')
  await store.commit(loaded)
  await store.save({ headers: {} }, res, loaded)
  const fresh = await new CookieStore([new Uint8Array(32)]).new<Account>({ headers: {} }, 'sid')
  expectTrue<Equals<typeof fresh, Session<Account>>>(true)
  // The untyped default is a record of unknowns, never `any`.
  const untyped = await store.load(undefined, 'sid')
  expectTrue<Equals<typeof untyped.values, Partial<SessionValues>>>(true)
  expectFalse<IsAny<typeof untyped.values.anything>>(false)
  // @ts-expect-error a session's values are an object type, not a string
  await store.load<string>(undefined, 'sid')
  // @ts-expect-error a typed session's keys are checked
  got.values.usr = 'ada'
}

export function adapterProbes(store: PGStore, req: Request, request: FastifyRequest): void {
  // Express: the middleware's V reaches the handler through its accessor.
  const express = expressSessions<Account>(store, { name: 'sid' })
  expectTrue<Equals<ReturnType<typeof express.of>, Session<Account>>>(true)
  expectTrue<Equals<ReturnType<typeof expressSessionOf>, Session<SessionValues>>>(true)
  // @ts-expect-error the untyped accessor takes no type argument (it would be an unchecked cast)
  expressSessionOf<Account>(req)

  // Fastify: the same, through a plugin made with its options.
  const fastify = createFastifySessions<Account>({ store, name: 'sid' })
  expectTrue<Equals<ReturnType<typeof fastify.of>, Session<Account>>>(true)
  // @ts-expect-error the untyped accessor takes no type argument
  fastifySessionOf<Account>(request)

  // Koa, written as the README shows it: `ctx.session` is a session, not `any`.
  const koa = koaSessions<Account>(store, { name: 'sid' })
  const app = new Koa()
  app.use(koaSessions(store, { name: 'sid' }))
  app.use((ctx) => {
    expectFalse<IsAny<typeof ctx.session>>(false)
    expectTrue<Equals<typeof ctx.session, Session<SessionValues>>>(true)
    expectTrue<Equals<ReturnType<typeof koa.of>, Session<Account>>>(true)
    const typed = koa.of(ctx)
    expectTrue<Equals<typeof typed.values.user, string | undefined>>(true)
  })
  // Chained, the middleware's own context type flows to the next middleware.
  new Koa().use(koa).use((ctx) => {
    expectTrue<Equals<typeof ctx.session.values.user, string | undefined>>(true)
  })

  // Hono: the Variables type carries V.
  new Hono<{ Variables: SessionVariables<Account> }>()
    .use(honoSessions<Account>(store))
    .get('/', (c) => {
      const session = c.get('session')
      expectTrue<Equals<typeof session, Session<Account>>>(true)
      return c.text('ok')
    })

  // node:http and Fetch.
  const node = nodeSessions<Account>(store)
  expectTrue<Equals<Awaited<ReturnType<typeof node>>, Session<Account>>>(true)
  const fetch = fetchSessions<Account>(store)
  expectTrue<Equals<Awaited<ReturnType<typeof fetch.getSession>>, Session<Account>>>(true)
}

export async function fetchProbes(store: PGStore, session: Session<Account>): Promise<void> {
  const sessions = fetchSessions<Account>(store)
  // setCookies hands back what to send, of the type it was given.
  const response = await sessions.setCookies(session, Response.redirect('http://localhost/', 303))
  expectTrue<Equals<typeof response, Response>>(true)
  const headers = await sessions.setCookies(session, new Headers())
  expectTrue<Equals<typeof headers, Headers>>(true)
  // @ts-expect-error a plain object is not a target
  await sessions.setCookies(session, { headers: {} })
}
