/**
 * A NestJS app on the Express platform with pgstore sessions: `pgstore/express` is Express
 * middleware, so Nest's `app.use` takes it, and a controller reads the session from `@Req()`.
 *
 * Written without decorator syntax (the decorators are called as functions), so it needs no
 * `experimentalDecorators` / `emitDecoratorMetadata` and runs under the repository's tsconfig and
 * tsx as it is; with decorator syntax it is the usual `@Controller()`, `@Get('count')`, `@Req()`.
 */
import 'reflect-metadata'
import { Controller, Get, Module, Req } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express'
import type { Request } from 'express'
import { expressSessions, sessionOf } from '../../src/adapters/express.ts'
import type { SessionCore } from '../../src/index.ts'

// `sessionOf` is untyped here (the controller has no handle on the typed middleware), so the
// stored value is checked rather than cast.
function visits(value: unknown): number {
  return typeof value === 'number' ? value : 0
}

/** GET /count: one more visit in this session. GET /peek: the count, the session untouched. */
class CounterController {
  count(req: Request): { n: number } {
    const session = sessionOf(req)
    const n = visits(session.values.n) + 1
    session.values.n = n
    return { n }
  }

  peek(req: Request): { n: number } {
    return { n: visits(sessionOf(req).values.n) }
  }
}

for (const [method, path] of [
  ['count', 'count'],
  ['peek', 'peek'],
] as const) {
  const descriptor = Object.getOwnPropertyDescriptor(CounterController.prototype, method)
  if (descriptor) Get(path)(CounterController.prototype, method, descriptor)
  Req()(CounterController.prototype, method, 0)
}
Controller()(CounterController)

class AppModule {}
Module({ controllers: [CounterController] })(AppModule)

/**
 * Creates the Nest app with the session middleware installed before the routes.
 *
 * @param options `name`: the session cookie name. Default `'session'`.
 */
export async function createNestApp(
  store: SessionCore,
  options: { name?: string } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), {
    logger: false,
  })
  app.use(expressSessions(store, options))
  return app
}
