/**
 * @module The pool `newPGStore` builds: `pg` pools behind a client-side deadline per statement, and
 * with a multi-host URL, on whichever server is the primary now.
 *
 * Why a client-side deadline and not `statement_timeout`: PgBouncer rejects `statement_timeout` as a
 * startup parameter, and the server's timeout never covers waits outside a statement (the commit's
 * wait for a synchronous standby, a black-holed connection, a pooler queueing for a server). At the
 * deadline the statement is cancelled on the server (a CancelRequest, which PgBouncer forwards), its
 * connection is destroyed, and the caller gets `ERR_STORE_TIMEOUT` at once.
 */
import { connect as netConnect } from 'node:net'
import pg from 'pg'
import { StoreError } from '../errors.ts'
import type { QueryConfig, QueryResultLike, SqlClient, SqlConnection } from './driver.ts'
import type { HostEntry, HostList } from './hosts.ts'

/** Settings of a {@link ManagedPool}. */
export interface ManagedPoolOptions {
  max: number
  connectionTimeoutMillis: number
  /** Client-side deadline of each statement; `0` disables it. */
  statementTimeoutMillis: number
  idleTimeoutMillis: number
  applicationName: string
  /** How often to look for a primary while none answers. Default `100` ms. */
  probeIntervalMillis?: number
  /** An idle connection failed (no caller to receive it). */
  onError?: (error: Error) => void
  /** The pool moved to another server. */
  onFailover?: (info: { from: string; to: string; ms: number }) => void
}

interface Current {
  host: HostEntry
  pool: pg.Pool
}

// Errors that say the server (or the way to it) is gone, or that it no longer takes writes.
const movingStates = new Set(['25006', '57P01', '57P02', '57P03', '08000', '08003', '08006'])

function isServerLost(error: unknown): boolean {
  const code = typeof error === 'object' && error ? (error as { code?: unknown }).code : undefined
  if (typeof code === 'string' && movingStates.has(code)) return true
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    message,
  )
}

// A statement rejected before it ran: running it elsewhere is safe.
function nothingRan(error: unknown): boolean {
  const code = typeof error === 'object' && error ? (error as { code?: unknown }).code : undefined
  return code === '25006' || code === '57P03'
}

/** The deadline's error; `toStoreError` maps the message to `ERR_STORE_TIMEOUT`. */
function deadlineError(ms: number): Error {
  return new Error(`Query read timeout: no answer within ${ms} ms; cancelled`)
}

type PgClient = pg.PoolClient & {
  processID?: number
  secretKey?: number
  connection?: { stream?: { destroy(): void } }
}

/**
 * Asks the server (or PgBouncer) to cancel what `client` runs, on a connection of its own.
 * Resolves when the receiver closes that connection: it has passed the cancel on.
 */
function sendCancel(url: string, client: PgClient): Promise<void> {
  if (client.processID === undefined || client.secretKey === undefined) return Promise.resolve()
  let host = '127.0.0.1'
  let port = 5432
  try {
    const parsed = new URL(url)
    host = parsed.hostname.replace(/^\[|\]$/g, '') || host
    port = Number(parsed.port || 5432)
  } catch {
    return Promise.resolve()
  }
  const packet = Buffer.alloc(16)
  packet.writeInt32BE(16, 0)
  packet.writeInt32BE(80877102, 4)
  packet.writeInt32BE(client.processID, 8)
  packet.writeInt32BE(client.secretKey, 12)
  // Written, then left for the receiver to close, as libpq does: PgBouncer 1.18 exits (FATAL "bad
  // client state") when a cancel's sender hangs up before the cancel has been forwarded.
  return new Promise((resolve) => {
    const socket = netConnect({ host, port })
    socket.setTimeout(5000, () => socket.destroy())
    socket.on('error', () => socket.destroy())
    socket.on('end', () => socket.destroy())
    socket.on('close', () => resolve())
    socket.on('connect', () => socket.write(packet))
  })
}

/**
 * A {@link SqlClient} over `pg` pools: one pool on the current server, a deadline on every
 * statement, and with several hosts (or `readWrite`), a move to the primary of the moment when the
 * current server fails. A statement is run again on the new server only when it never ran (it was
 * not sent, or the server refused it as read-only); a write whose outcome is unknown fails typed.
 */
export class ManagedPool implements SqlClient {
  readonly #hosts: HostList
  readonly #options: ManagedPoolOptions
  readonly #canMove: boolean
  #current: Current | undefined
  #finding: Promise<Current> | undefined
  #lostAt = 0
  #lostFrom = ''
  #ended = false
  /** Clients past their deadline, until their cancel is delivered and their socket destroyed. */
  readonly #doomed = new WeakMap<PgClient, Promise<void>>()
  readonly #listening = new WeakSet<PgClient>()

  constructor(hosts: HostList, options: ManagedPoolOptions) {
    this.#hosts = hosts
    this.#options = options
    this.#canMove = hosts.hosts.length > 1 || hosts.readWrite
    if (!this.#canMove) this.#current = this.#open(hosts.hosts[0] as HostEntry)
  }

  /** The server in use (`host:port`), or `undefined` while none is known. */
  get server(): string | undefined {
    return this.#current?.host.label
  }

  async query<R = Record<string, unknown>>(config: QueryConfig): Promise<QueryResultLike<R>> {
    for (let attempt = 0; ; attempt++) {
      const { current, client } = await this.#acquire(attempt)
      try {
        const result = await this.#run<R>(current, client, config)
        client.release()
        return result
      } catch (error) {
        this.#release(client, error)
        if (!this.#lost(current, error) || attempt > 0 || !nothingRan(error)) throw error
      }
    }
  }

  async connect(): Promise<SqlConnection> {
    const { current, client } = await this.#acquire(0)
    return {
      query: async <R>(config: QueryConfig) => {
        try {
          return await this.#run<R>(current, client, config)
        } catch (error) {
          this.#lost(current, error)
          throw error
        }
      },
      release: (error?: Error | boolean) => this.#release(client, error),
    }
  }

  /** Ends every pool. */
  async end(): Promise<void> {
    this.#ended = true
    const current = this.#current
    this.#current = undefined
    await this.#finding?.then(
      (found) => found.pool.end(),
      () => undefined,
    )
    await current?.pool.end()
  }

  async #acquire(attempt: number): Promise<{ current: Current; client: PgClient }> {
    for (let tries = attempt; ; tries++) {
      const current = this.#current ?? (await this.#find())
      try {
        const client = (await current.pool.connect()) as PgClient
        // A checked-out client whose server dies between statements emits `error`; the statement
        // in flight (or the next one) fails typed, so the event itself must not crash the process.
        if (!this.#listening.has(client)) {
          this.#listening.add(client)
          client.on('error', () => undefined)
        }
        return { current, client }
      } catch (error) {
        // Nothing was sent: trying the primary of the moment is always safe, once.
        if (!this.#lost(current, error) || tries > 0) throw error
      }
    }
  }

  /** Returns `client` to its pool; one that failed (or is doomed) is discarded. */
  #release(client: PgClient, error: unknown): void {
    const reason = error instanceof Error ? error : error ? true : undefined
    const doomed = this.#doomed.get(client)
    if (doomed) doomed.then(() => client.release(reason ?? true))
    else client.release(reason)
  }

  #run<R>(current: Current, client: PgClient, config: QueryConfig): Promise<QueryResultLike<R>> {
    const ms = this.#options.statementTimeoutMillis
    // A client past its deadline takes nothing more (a transaction's ROLLBACK would wait forever
    // on a black-holed connection); it is destroyed once its cancel is delivered.
    if (this.#doomed.has(client)) return Promise.reject(deadlineError(ms))
    const running = client.query(config as pg.QueryConfig) as unknown as Promise<QueryResultLike<R>>
    if (!(ms > 0)) return running
    return new Promise((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        settled = true
        // The connection's state is unknown (mid-statement, or a dead peer): never reuse it.
        // Destroyed once the cancelled statement has ended or the cancel was passed on, at most 3 s
        // later: PgBouncer drops a cancel whose client has already left.
        const ended = running.then(
          () => undefined,
          () => undefined,
        )
        const grace = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref())
        this.#doomed.set(
          client,
          Promise.race([ended, sendCancel(current.host.url, client), grace]).then(() => {
            client.connection?.stream?.destroy()
          }),
        )
        reject(deadlineError(ms))
      }, ms)
      running.then(
        (result) => {
          if (settled) return
          clearTimeout(timer)
          resolve(result)
        },
        (error) => {
          if (settled) return
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  /** Whether `error` means the server is lost; if so, the next caller looks for another. */
  #lost(current: Current, error: unknown): boolean {
    if (!this.#canMove || !isServerLost(error)) return false
    if (this.#current === current) {
      this.#current = undefined
      this.#lostAt = performance.now()
      this.#lostFrom = current.host.label
      current.pool.end().catch(() => undefined)
    }
    return true
  }

  #find(): Promise<Current> {
    this.#finding ??= this.#search().finally(() => {
      this.#finding = undefined
    })
    return this.#finding
  }

  // Probes every host until one fits (the first in URL order), for up to connectionTimeoutMillis.
  async #search(): Promise<Current> {
    const started = performance.now()
    const limit = this.#options.connectionTimeoutMillis
    let sawReadOnly = false
    for (;;) {
      if (this.#ended) throw new StoreError('ERR_STORE_CLOSED', 'the store is closed')
      const left = limit - (performance.now() - started)
      const states = await Promise.all(
        this.#hosts.hosts.map((host) => this.#probe(host, Math.max(200, Math.min(left, 2000)))),
      )
      const index = states.findIndex((s) => s === 'rw' || (s === 'ro' && !this.#hosts.readWrite))
      if (index !== -1) {
        const host = this.#hosts.hosts[index] as HostEntry
        const current = this.#open(host)
        if (this.#ended) {
          await current.pool.end()
          throw new StoreError('ERR_STORE_CLOSED', 'the store is closed')
        }
        if (this.#lostFrom !== '') {
          const ms = performance.now() - this.#lostAt
          this.#options.onFailover?.({ from: this.#lostFrom, to: host.label, ms })
        }
        this.#current = current
        return current
      }
      sawReadOnly ||= states.includes('ro')
      if (performance.now() - started >= limit) {
        throw sawReadOnly
          ? new StoreError(
              'ERR_STORE_READ_ONLY',
              `no read-write server among ${this.#hosts.hosts.length} hosts (failover in progress?)`,
              { sqlState: '25006' },
            )
          : new StoreError(
              'ERR_STORE_UNAVAILABLE',
              `none of ${this.#hosts.hosts.length} database hosts could be reached`,
            )
      }
      await new Promise((resolve) => setTimeout(resolve, this.#options.probeIntervalMillis ?? 100))
    }
  }

  // `SHOW transaction_read_only`, as libpq's target_session_attrs=read-write does.
  async #probe(host: HostEntry, ms: number): Promise<'rw' | 'ro' | 'down'> {
    const client = new pg.Client({
      connectionString: host.url,
      connectionTimeoutMillis: ms,
      query_timeout: ms,
      application_name: `${this.#options.applicationName}-probe`,
    })
    client.on('error', () => undefined)
    try {
      await client.connect()
      const result = await client.query<{ transaction_read_only: string }>(
        'SHOW transaction_read_only',
      )
      return result.rows[0]?.transaction_read_only === 'off' ? 'rw' : 'ro'
    } catch {
      return 'down'
    } finally {
      client.end().catch(() => undefined)
    }
  }

  #open(host: HostEntry): Current {
    const pool = new pg.Pool({
      connectionString: host.url,
      max: this.#options.max,
      connectionTimeoutMillis: this.#options.connectionTimeoutMillis,
      idleTimeoutMillis: this.#options.idleTimeoutMillis,
      application_name: this.#options.applicationName,
    })
    // Errors on idle clients land here; without a listener they would crash the process.
    pool.on('error', (error) => this.#options.onError?.(error))
    return { host, pool }
  }
}
