/**
 * @module The floor (`floor-db.ts`: one SELECT; SELECT + UPDATE) in each framework pgstore has an
 * adapter for: Express 5, Fastify 5, Hono on `@hono/node-server`, Koa. Each pgstore adapter is
 * compared with the floor of its own framework, so a framework's routing cost is not counted
 * against the adapter.
 */
import { createServer } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import express, { type NextFunction, type Request, type Response } from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { floorRoute, setupFloor } from './floor-db.ts'
import { benchPool, listen, running, runningFastify } from './shared.ts'
import type { Variant } from './types.ts'

const routes = ['/new', '/read', '/incr']

/** The floor on Express 5. */
export const floorExpress: Variant = {
  name: 'floor-express',
  label: 'floor: Express 5 + pg',
  setup: setupFloor,
  async start(place) {
    const pool = benchPool(place)
    const app = express()
    app.get(routes, async (req, res) => {
      const answer = await floorRoute(pool, req.path, req.headers.cookie)
      if (answer.setCookie) res.setHeader('set-cookie', answer.setCookie)
      res.status(answer.status).send(answer.body)
    })
    app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).end()
    })
    const server = createServer(app)
    return running(server, await listen(server), () => pool.end())
  },
}

/** The floor on Fastify 5. */
export const floorFastify: Variant = {
  name: 'floor-fastify',
  label: 'floor: Fastify 5 + pg',
  setup: setupFloor,
  async start(place) {
    const pool = benchPool(place)
    const app = Fastify({ logger: false })
    for (const path of routes) {
      app.get(path, async (request, reply) => {
        const answer = await floorRoute(pool, path, request.headers.cookie)
        if (answer.setCookie) reply.header('set-cookie', answer.setCookie)
        reply.code(answer.status)
        return answer.body
      })
    }
    return runningFastify(app, () => pool.end())
  },
}

/** The floor on Hono, served by `@hono/node-server`. */
export const floorHono: Variant = {
  name: 'floor-hono',
  label: 'floor: Hono (@hono/node-server) + pg',
  setup: setupFloor,
  async start(place) {
    const pool = benchPool(place)
    const app = new Hono()
    app.get('*', async (c) => {
      const answer = await floorRoute(pool, c.req.path, c.req.header('cookie'))
      if (answer.setCookie) c.header('set-cookie', answer.setCookie)
      return c.text(answer.body, answer.status as 200)
    })
    app.onError((_error, c) => c.body(null, 500))
    const server = createAdaptorServer({ fetch: app.fetch }) as ReturnType<typeof createServer>
    return running(server, await listen(server), () => pool.end())
  },
}

/** The floor on Koa. */
export const floorKoa: Variant = {
  name: 'floor-koa',
  label: 'floor: Koa + pg',
  setup: setupFloor,
  async start(place) {
    const pool = benchPool(place)
    const app = new Koa()
    app.silent = true
    app.use(async (ctx) => {
      const answer = await floorRoute(pool, ctx.path, ctx.get('cookie') || undefined)
      if (answer.setCookie) ctx.set('set-cookie', answer.setCookie)
      ctx.status = answer.status
      ctx.body = answer.body
    })
    const server = createServer(app.callback())
    return running(server, await listen(server), () => pool.end())
  },
}
