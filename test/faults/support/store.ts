/**
 * @module Small shared pieces of the fault tests: keys, a store on a pool, cookie plumbing, error
 * classification and percentiles.
 */

import { PgStoreError } from '../../../src/errors.ts'
import { newPGStoreFromPool, type PGStore, type PGStoreOptions } from '../../../src/index.ts'
import type { SqlClient } from '../../../src/pg/driver.ts'

export const hashKey = Buffer.from('faults-hash-key-0123456789abcdef')
export const blockKey = Buffer.from('faults-block-key-0123456789abcde')

/** A migrated store on `pool` with plain-http cookies. */
export function storeOn(pool: SqlClient, options: PGStoreOptions = {}): Promise<PGStore> {
  return newPGStoreFromPool(pool, hashKey, blockKey, { cookie: { secure: false }, ...options })
}

/** The `name=value` part of a `Set-Cookie` line, as a browser would send it back. */
export function cookiePair(setCookie: string | undefined): string {
  return setCookie?.split(';')[0] ?? ''
}

/** True for a typed error an operator acts on (the database or the pool failed). */
export function isStoreFailure(error: unknown): error is PgStoreError {
  return error instanceof PgStoreError && error.kind === 'store'
}

/** The `p`-th percentile (0-100) of `values`, nearest rank; `NaN` for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

/** `pool` wrapped so every statement the store sends is counted. */
export function countingClient(pool: SqlClient): SqlClient & { readonly count: number } {
  let count = 0
  const client: SqlClient & { readonly count: number } = {
    get count() {
      return count
    },
    query: (config) => {
      count++
      return pool.query(config)
    },
  }
  if (pool.connect) {
    const connect = pool.connect.bind(pool)
    client.connect = async () => {
      const connection = await connect()
      return {
        query: (config) => {
          count++
          return connection.query(config)
        },
        release: (error) => connection.release(error),
      }
    }
  }
  return client
}

/** Collects `unhandledRejection` and `uncaughtException` while a scenario runs. */
export function watchCrashes(): { readonly count: number; stop(): void } {
  let count = 0
  const onCrash = () => {
    count++
  }
  process.on('unhandledRejection', onCrash)
  process.on('uncaughtExceptionMonitor', onCrash)
  return {
    get count() {
      return count
    },
    stop: () => {
      process.off('unhandledRejection', onCrash)
      process.off('uncaughtExceptionMonitor', onCrash)
    },
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** One line of figures, printed as a TAP diagnostic so `npm run test:faults` shows it. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v}`)
    .join(' ')
  console.log(`figures ${scenario}: ${text}`)
}
