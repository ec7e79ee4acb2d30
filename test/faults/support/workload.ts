/**
 * @module The mixed request workload of the restart and crash scenarios (S1/S2), and its audit.
 *
 * Each worker owns its own sessions, so the operations on one session are sequential and "the last
 * acknowledged save" is well defined. A save whose commit failed may or may not have reached the
 * database: its value is remembered as ambiguous, and the audit accepts it (never anything else).
 * A worker whose request failed waits `backoffMs` before its next one, as a client would.
 */
import pg from 'pg'
import { decodeMulti, type PGStore } from '../../../src/index.ts'
import { cookiePair, isStoreFailure } from './store.ts'

const name = 'sid'

interface Slot {
  id: string
  cookie: string
  /** The value of the last acknowledged save (or one a later read saw committed). */
  acked: number
  /** Values of saves that failed after `acked`: each may have been committed. */
  ambiguous: Set<number>
  state: 'live' | 'maybe-gone' | 'gone'
}

/** One request: when it ran and whether it succeeded. */
export interface OpRecord {
  kind: 'read' | 'save' | 'destroy'
  start: number
  end: number
  ok: boolean
}

/** What a run did and what the audit found. */
export interface WorkloadResult {
  ops: OpRecord[]
  failures: number
  /** Failures that were not a `PgStoreError` of kind `store`, with their name and code. */
  untyped: string[]
  ackedSaves: number
  /** Reads that returned a value no save had written (or an older one than acknowledged). */
  staleReads: number
  /** Reads that found no session where an acknowledged save should be. */
  missingOnRead: number
  /** Reads that found a session after its destroy was acknowledged. */
  resurrectedReads: number
}

/** Workload shape: totals and mix. */
export interface WorkloadOptions {
  total: number
  concurrency: number
  sessionsPerWorker: number
  /** Called once when request number `faultAt` starts; not awaited by the workers. */
  faultAt: number
  fault: () => void
  backoffMs: number
}

/** Runs the workload and keeps the slots for {@link auditRows}. */
export class Workload {
  readonly #store: PGStore
  readonly #slots: Slot[][] = []
  readonly #gone: string[] = []
  #seq = 0

  constructor(store: PGStore) {
    this.#store = store
  }

  /** Creates `sessionsPerWorker` sessions per worker, each holding `{ v: 0 }`. */
  async seed(workers: number, sessionsPerWorker: number): Promise<void> {
    for (let w = 0; w < workers; w++) {
      const slots: Slot[] = []
      for (let i = 0; i < sessionsPerWorker; i++) {
        const session = await this.#store.load(undefined, name)
        session.values.v = 0
        const cookie = cookiePair(await this.#store.commit(session))
        slots.push({ id: session.id, cookie, acked: 0, ambiguous: new Set(), state: 'live' })
      }
      this.#slots.push(slots)
    }
  }

  async run(options: WorkloadOptions): Promise<WorkloadResult> {
    const result: WorkloadResult = {
      ops: [],
      failures: 0,
      untyped: [],
      ackedSaves: 0,
      staleReads: 0,
      missingOnRead: 0,
      resurrectedReads: 0,
    }
    let next = 0
    const worker = async (slots: Slot[]) => {
      while (next < options.total) {
        const n = next++
        if (n === options.faultAt) options.fault()
        const slot = slots[Math.floor(Math.random() * slots.length)] as Slot
        const roll = Math.random()
        const kind = roll < 0.7 ? 'read' : roll < 0.95 ? 'save' : 'destroy'
        const start = performance.now()
        let ok = true
        try {
          await this.#op(kind, slot, result)
        } catch (error) {
          ok = false
          result.failures++
          if (!isStoreFailure(error)) {
            const e = error as { name?: string; code?: string }
            result.untyped.push(`${e?.name}:${e?.code}`)
          }
        }
        result.ops.push({ kind, start, end: performance.now(), ok })
        if (!ok) await new Promise((r) => setTimeout(r, options.backoffMs))
      }
    }
    await Promise.all(this.#slots.map((slots) => worker(slots)))
    return result
  }

  async #op(kind: OpRecord['kind'], slot: Slot, result: WorkloadResult) {
    const session = await this.#store.load(slot.cookie, name)
    if (session.isNew) {
      if (slot.state === 'live') result.missingOnRead++
      if (slot.state !== 'gone') this.#markGone(slot)
    } else {
      const seen = session.values.v as number
      if (slot.state === 'gone') result.resurrectedReads++
      if (seen !== slot.acked && !slot.ambiguous.has(seen)) result.staleReads++
      // A value a read sees is committed: it is the new baseline.
      slot.acked = seen
      slot.ambiguous.clear()
      slot.state = 'live'
    }
    if (kind === 'read') return
    if (kind === 'destroy') {
      if (session.isNew) return
      slot.state = 'maybe-gone'
      await this.#store.destroy(session)
      await this.#store.commit(session)
      this.#markGone(slot)
      return
    }
    const seq = ++this.#seq
    session.values.v = seq
    if (!session.isNew) slot.ambiguous.add(seq)
    const cookie = await this.#store.commit(session)
    result.ackedSaves++
    if (session.id !== slot.id) {
      // The old session was gone: this slot now tracks the new one.
      slot.id = session.id
    }
    slot.cookie = cookiePair(cookie) || slot.cookie
    slot.acked = seq
    slot.ambiguous.clear()
    slot.state = 'live'
  }

  #markGone(slot: Slot) {
    if (slot.state !== 'gone') this.#gone.push(slot.id)
    slot.state = 'gone'
  }

  /**
   * Reads every tracked session straight from the table with its own connection and the store's
   * codecs. `lost`: a live session whose row is missing or holds a value no save could have left.
   * `resurrected`: an acknowledged destroy whose row exists.
   */
  async auditRows(
    url: string,
    table: string,
  ): Promise<{ checked: number; lost: number; resurrected: number }> {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => undefined)
    await client.connect()
    try {
      const read = async (id: string): Promise<number | undefined> => {
        const rows = await client.query(`SELECT data FROM ${table} WHERE key = $1`, [id])
        const data = rows.rows[0]?.data as Buffer | undefined
        if (!data) return undefined
        const values = decodeMulti<{ v: number }>(
          name,
          data.toString('latin1'),
          this.#store.codecs,
          {
            maxAge: 0,
          },
        )
        return values.v
      }
      let checked = 0
      let lost = 0
      let resurrected = 0
      const live = new Set<string>()
      for (const slot of this.#slots.flat()) {
        if (slot.state === 'gone') continue
        live.add(slot.id)
        checked++
        const v = await read(slot.id)
        if (v === undefined) {
          if (slot.state === 'live') lost++
        } else if (v !== slot.acked && !slot.ambiguous.has(v)) lost++
      }
      for (const id of this.#gone) {
        if (live.has(id)) continue
        checked++
        if ((await read(id)) !== undefined) resurrected++
      }
      return { checked, lost, resurrected }
    } finally {
      await client.end()
    }
  }
}
