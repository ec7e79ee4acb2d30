/**
 * @module Every server variant, in the order the table shows them. Each is imported only in the
 * server process that runs it; an adapter variant is listed only once its adapter exists in
 * `src/adapters/`.
 */
import { existsSync } from 'node:fs'
import type { Variant } from './types.ts'

/** A variant the runner may start, by name. */
export interface VariantEntry {
  name: string
  label: string
  /** The `src/` file it needs; the variant is skipped while that file is missing. */
  needs?: string
  /** The floor its `× floor` ratio is to: the floor of its own framework. Floors have none. */
  floor?: string
  /** The incumbent on the same framework it is compared with, if any. */
  incumbent?: string
  load(): Promise<Variant>
}

/** All variants: the floors first (node:http, then one per framework), then pgstore, then the incumbents. */
export const variants: readonly VariantEntry[] = [
  {
    name: 'floor',
    label: 'floor: node:http + pg (SELECT; SELECT+UPDATE)',
    load: async () => (await import('./floor.ts')).floor,
  },
  {
    name: 'floor-express',
    label: 'floor: Express 5 + pg',
    load: async () => (await import('./framework-floors.ts')).floorExpress,
  },
  {
    name: 'floor-fastify',
    label: 'floor: Fastify 5 + pg',
    load: async () => (await import('./framework-floors.ts')).floorFastify,
  },
  {
    name: 'floor-hono',
    label: 'floor: Hono (@hono/node-server) + pg',
    load: async () => (await import('./framework-floors.ts')).floorHono,
  },
  {
    name: 'floor-koa',
    label: 'floor: Koa + pg',
    load: async () => (await import('./framework-floors.ts')).floorKoa,
  },
  {
    name: 'pgstore-http',
    label: 'pgstore: node:http, store.get/save',
    floor: 'floor',
    load: async () => (await import('./pgstore-http.ts')).pgstoreHttp,
  },
  {
    name: 'pgstore-optimistic',
    label: "pgstore: node:http, concurrency: 'optimistic' (409 on conflict)",
    floor: 'floor',
    load: async () => (await import('./pgstore-http.ts')).pgstoreHttpOptimistic,
  },
  {
    name: 'pgstore-node',
    label: 'pgstore: node adapter (nodeSessions)',
    needs: 'src/adapters/node.ts',
    floor: 'floor',
    load: async () => (await import('./pgstore-adapters.ts')).pgstoreNode,
  },
  {
    name: 'pgstore-express',
    label: 'pgstore: Express adapter (expressSessions)',
    needs: 'src/adapters/express.ts',
    floor: 'floor-express',
    incumbent: 'express-session',
    load: async () => (await import('./pgstore-adapters.ts')).pgstoreExpress,
  },
  {
    name: 'pgstore-fastify',
    label: 'pgstore: Fastify adapter (fastifySessions)',
    needs: 'src/adapters/fastify.ts',
    floor: 'floor-fastify',
    incumbent: 'fastify-session',
    load: async () => (await import('./pgstore-adapters.ts')).pgstoreFastify,
  },
  {
    name: 'pgstore-hono',
    label: 'pgstore: Hono adapter (honoSessions, @hono/node-server)',
    needs: 'src/adapters/hono.ts',
    floor: 'floor-hono',
    load: async () => (await import('./pgstore-adapters.ts')).pgstoreHono,
  },
  {
    name: 'pgstore-koa',
    label: 'pgstore: Koa adapter (koaSessions)',
    needs: 'src/adapters/koa.ts',
    floor: 'floor-koa',
    load: async () => (await import('./pgstore-adapters.ts')).pgstoreKoa,
  },
  {
    name: 'express-session',
    label: 'express-session + connect-pg-simple (defaults)',
    floor: 'floor-express',
    load: async () => (await import('./express-session.ts')).expressSessionDefaults,
  },
  {
    name: 'express-session-tuned',
    label: 'express-session + connect-pg-simple (resave, saveUninitialized: false)',
    floor: 'floor-express',
    load: async () => (await import('./express-session.ts')).expressSessionTuned,
  },
  {
    name: 'fastify-session',
    label: '@fastify/session + connect-pg-simple (defaults)',
    floor: 'floor-fastify',
    load: async () => (await import('./fastify-session.ts')).fastifySessionDefaults,
  },
]

/** True when the variant's adapter file exists in the repository. */
export function isAvailable(entry: VariantEntry): boolean {
  return entry.needs === undefined || existsSync(new URL(`../../${entry.needs}`, import.meta.url))
}

/** The variant named `name`. */
export function findVariant(name: string): VariantEntry {
  const entry = variants.find((v) => v.name === name)
  if (!entry) throw new Error(`unknown variant ${name}`)
  return entry
}
