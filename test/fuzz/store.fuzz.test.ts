/**
 * Store fuzzing on a real PostgreSQL: mutated valid cookies through `store.load` and random values
 * through `commit`. 0 crashes, 0 untyped throws, no forged session. Runs: FUZZ_RUNS (default 200,
 * since it hits the database) for the cookies, a quarter of that (at least 20) for the values, which
 * each cost a round trip. FUZZ_SEED replays a run.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { jsonSerializer, newPGStoreFromPool, type PGStore, PgStoreError } from '../../src/index.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'

const runs = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10) || 200
const valueRuns = Math.max(20, Math.ceil(runs / 4))
const seed = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) }

const hashKey = Buffer.from('fuzz-hash-key-0123456789abcdefgh')
const blockKey = Buffer.from('fuzz-block-key-0123456789abcdefg')

let db: TestSchema
let store: PGStore
const saved: Array<{ value: string; user: string }> = []
before(async () => {
  db = await createTestSchema('store fuzz')
  store = await newPGStoreFromPool(db.pool, hashKey, blockKey, { cookie: { secure: false } })
  for (const user of ['ada', 'grace', 'linus']) {
    const session = await store.load(undefined, 'sid')
    session.values.user = user
    const header = (await store.commit(session)) ?? ''
    saved.push({ value: header.split(';')[0]?.slice('sid='.length) ?? '', user })
  }
})
after(() => db?.drop())

const anyChar = fc.oneof(
  fc.constantFrom(...'!%*.+/=|;, \t"\\-_AQ'.split('')),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
)

/** One edit of a cookie value: replace, insert, delete, truncate or flip a bit of the signed layer. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('replace'), at: fc.nat(), text: anyChar }),
  fc.record({
    op: fc.constant('insert'),
    at: fc.nat(),
    text: fc.string({ unit: anyChar, minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('delete'), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate'), at: fc.nat() }),
  fc.record({ op: fc.constant('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never

function apply(value: string, m: Mutation): string {
  const at = m.at % (value.length + 1)
  switch (m.op) {
    case 'replace':
      return value.slice(0, at) + m.text + value.slice(at + 1)
    case 'insert':
      return value.slice(0, at) + m.text + value.slice(at)
    case 'delete':
      return value.slice(0, at) + value.slice(at + m.length)
    case 'truncate':
      return value.slice(0, at)
    case 'flip': {
      const bytes = Buffer.from(value, 'base64url')
      const i = m.at % bytes.length
      bytes[i] = (bytes[i] as number) ^ (1 << m.bit)
      const text = bytes.toString('base64url')
      return text.padEnd(Math.ceil(text.length / 4) * 4, '=')
    }
  }
}

test(`mutated cookies through store.load: typed decode errors, never a forged session (${runs} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: saved.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('plain', 'junk-first', 'junk-after'),
      async (which, edits, layout) => {
        const original = saved[which] as { value: string; user: string }
        const value = edits.reduce(apply, original.value)
        const header =
          layout === 'plain'
            ? `sid=${value}`
            : layout === 'junk-first'
              ? `a=1; sid=${value}; sid=x`
              : `sid=${value}; b=2`
        const session = await store.load(header, 'sid')
        if (session.error) {
          assert.ok(session.error instanceof PgStoreError)
          assert.equal(session.error.kind, 'decode')
          assert.equal(session.isNew, true)
        }
        if (!session.isNew) {
          // Only an edit that left the value as sent (e.g. whitespace trimmed) may still load.
          assert.equal(session.values.user, original.user)
        }
      },
    ),
    { numRuns: runs, ...seed },
  )
})

const weird = fc.constantFrom<unknown>(
  1n,
  Number.NaN,
  -Infinity,
  undefined,
  () => 1,
  Symbol('s'),
  new Map([[1, 2]]),
)
const values = fc.dictionary(
  fc.string({ maxLength: 12 }),
  fc.oneof(
    { weight: 9, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: weird },
  ),
  { maxKeys: 8 },
)

test(`random values through commit: saved exactly or a typed usage error, nothing else (${valueRuns} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(values, async (generated) => {
      const session = await store.load(undefined, 'sid')
      for (const [k, v] of Object.entries(generated)) session.values[k] = v
      let header: string | undefined
      try {
        header = await store.commit(session)
      } catch (error) {
        assert.ok(error instanceof PgStoreError, `untyped ${String(error)}`)
        assert.equal(error.kind, 'usage')
        return
      }
      if (header === undefined) return
      const loaded = await store.load(header.split(';')[0], 'sid')
      assert.equal(loaded.error, undefined)
      // Go JSON is deterministic (sorted keys, fixed escapes): equal bytes mean equal values.
      assert.deepEqual(
        jsonSerializer.serialize(loaded.values),
        jsonSerializer.serialize(session.values),
      )
    }),
    { numRuns: valueRuns, ...seed },
  )
})
