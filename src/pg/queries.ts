/**
 * @module Every SQL statement the store runs, for one table. All times come from the database
 * clock (`now()`), so application clock skew never changes an expiry decision.
 *
 * Lifetimes are seconds passed as parameters: `$life` is how long a write keeps the session alive,
 * `$absolute` (nullable) caps it at `created_on + absolute`, `$idle` (nullable) rejects rows not
 * written for that long, `$touch` is how old the last write must be before a read extends expiry.
 */
import { endedTable, type TableRef } from './identifiers.ts'

/** The statements, with stable names so `pg` prepares each once per connection. */
export interface Queries {
  load: { name: string; text: string }
  loadPlain: { name: string; text: string }
  insert: { name: string; text: string }
  update: { name: string; text: string }
  updateVersioned: { name: string; text: string }
  touch: { name: string; text: string }
  touchData: { name: string; text: string }
  destroy: { name: string; text: string }
  renew: { name: string; text: string }
  exists: { name: string; text: string }
  lockForMerge: { name: string; text: string }
  list: { name: string; text: string }
  revoke: { name: string; text: string }
  revokeOne: { name: string; text: string }
  deleteExpiredBatch: { name: string; text: string }
  tryCleanupLock: { name: string; text: string }
  deleteExpired: { name: string; text: string }
  deleteEnded: { name: string; text: string }
}

// The cleanup lock is keyed by the table's oid (with a fixed high word for pgstore: 1885827956 is
// 'pgst' in ASCII), so every process cleaning one table takes the same lock however it names the
// table. A plain integer, not x'70677374'::bigint: that literal is BYTES on CockroachDB.
const cleanupLock = `(1885827956::bigint << 32) | $1::regclass::oid::bigint`

// Seconds times an interval, not make_interval(secs => ...): the same plan and cost in PostgreSQL,
// and no named function argument for engines that reject them (docs/portability.md).
const interval = (param: string): string => `(${param}::float8 * interval '1 second')`

/** Builds the statements for `ref`; the prefix keeps names distinct per table. */
export function buildQueries(ref: TableRef): Queries {
  const t = ref.qualified
  const prefix = `pgstore_${ref.schema ?? ''}_${ref.table}`.slice(0, 40)
  const live = `expires_on > now()`
  // Expiry after a write: now + life, never past the absolute cap.
  const expiry = (created: string, life = '$3', absolute = '$4') =>
    `LEAST(now() + ${interval(life)}, ${created} + ${interval(absolute)})`
  const q = (name: string, text: string) => ({ name: `${prefix}_${name}`, text })
  // A write moves the expiry only when it moves by more than touchAfter ($6). Between moves the
  // UPDATE leaves every indexed column as it was, so PostgreSQL can make it a HOT update: no
  // index entries written, the cheapest write there is.
  const slidingExpiry = `CASE WHEN abs(extract(epoch FROM ${expiry('created_on')} - expires_on)) > $6
       THEN ${expiry('created_on')} ELSE expires_on END`
  return {
    load: q(
      'load',
      `SELECT data, version, owner, modified_on < now() - ${interval('$2')} AS stale
       FROM ${t} WHERE key = $1 AND ${live}
       AND ($3::float8 IS NULL OR created_on > now() - ${interval('$3')})
       AND ($4::float8 IS NULL OR modified_on > now() - ${interval('$4')})`,
    ),
    // hashIds: a row still under the plain id ($1) moves to its hashed key ($5) as it is loaded.
    loadPlain: q(
      'load_plain',
      `UPDATE ${t} SET key = $5 WHERE key = $1 AND ${live}
       AND ($3::float8 IS NULL OR created_on > now() - ${interval('$3')})
       AND ($4::float8 IS NULL OR modified_on > now() - ${interval('$4')})
       RETURNING data, version, owner, modified_on < now() - ${interval('$2')} AS stale`,
    ),
    insert: q(
      'insert',
      `INSERT INTO ${t} (key, data, created_on, modified_on, expires_on, owner, user_agent, version)
       VALUES ($1, $2, now(), now(), ${expiry('now()')}, $5, $6, 1)
       ON CONFLICT (key) DO NOTHING`,
    ),
    update: q(
      'update',
      `UPDATE ${t} SET data = $2, modified_on = now(), expires_on = ${slidingExpiry},
       owner = $5, version = version + 1
       WHERE key = $1 AND ${live} RETURNING version`,
    ),
    updateVersioned: q(
      'update_versioned',
      `UPDATE ${t} SET data = $2, modified_on = now(), expires_on = ${slidingExpiry},
       owner = $5, version = version + 1
       WHERE key = $1 AND ${live} AND version = $7 RETURNING version`,
    ),
    // Extends only: a late touch never shortens what a newer write set.
    touch: q(
      'touch',
      `UPDATE ${t} SET modified_on = now(),
       expires_on = GREATEST(expires_on, ${expiry('created_on', '$2', '$3')})
       WHERE key = $1 AND ${live}`,
    ),
    // The touch that also re-seals data (same values, current key pair, fresh timestamp): only
    // while the row holds exactly what was loaded ($5), so it never undoes a concurrent write, Go's
    // included (Go's UPDATE leaves version alone). The version stays: the values did not change.
    touchData: q(
      'touch_data',
      `UPDATE ${t} SET data = $4, modified_on = now(),
       expires_on = GREATEST(expires_on, ${expiry('created_on', '$2', '$3')})
       WHERE key = $1 AND ${live} AND data = $5`,
    ),
    destroy: q('destroy', `DELETE FROM ${t} WHERE key = $1`),
    // One statement: the old row goes and the new one comes, or neither (the old was already gone).
    // The new row keeps the old creation time: the absolute timeout counts from the first one.
    renew: q(
      'renew',
      `WITH old AS (DELETE FROM ${t} WHERE key = $1 AND ${live}
                    RETURNING user_agent, COALESCE(created_on, now()) AS created_on)
       INSERT INTO ${t} (key, data, created_on, modified_on, expires_on, owner, user_agent, version)
       SELECT $2, $7, old.created_on, now(), ${expiry('old.created_on')}, $5,
              COALESCE($6, old.user_agent), 1 FROM old`,
    ),
    exists: q('exists', `SELECT 1 FROM ${t} WHERE key = $1 AND ${live}`),
    lockForMerge: q(
      'lock_for_merge',
      `SELECT data, version FROM ${t} WHERE key = $1 AND ${live} FOR UPDATE`,
    ),
    list: q(
      'list',
      `SELECT id::text AS handle, key = $2 AS current, created_on, modified_on, expires_on, user_agent
       FROM ${t} WHERE owner = $1 AND ${live} ORDER BY modified_on DESC`,
    ),
    revoke: q(
      'revoke',
      `DELETE FROM ${t} WHERE owner = $1 AND ($2::bytea IS NULL OR key <> $2)
       AND ($3::bigint IS NULL OR id <> $3)`,
    ),
    revokeOne: q('revoke_one', `DELETE FROM ${t} WHERE owner = $1 AND id = $2`),
    // One batch under a transaction-scoped advisory lock: only one cleaner works at a time, and the
    // lock is released when the statement's transaction ends, even if the process dies.
    deleteExpiredBatch: q(
      'delete_expired',
      `WITH lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(${cleanupLock}) AS held),
       victims AS (SELECT id FROM ${t} WHERE (SELECT held FROM lock) AND expires_on < now()
                   ORDER BY expires_on LIMIT $2),
       gone AS (DELETE FROM ${t} WHERE id IN (SELECT id FROM victims) AND expires_on < now()
                RETURNING 1)
       SELECT (SELECT held FROM lock) AS held, (SELECT count(*) FROM gone)::int AS deleted`,
    ),
    // The same in two statements of one transaction, for drivers with connect(): the DELETE takes
    // its snapshot after the lock is held, so it sees everything the previous holder committed.
    tryCleanupLock: q(
      'try_cleanup_lock',
      `SELECT pg_try_advisory_xact_lock(${cleanupLock}) AS held`,
    ),
    deleteExpired: q(
      'delete_expired_locked',
      `WITH victims AS (SELECT id FROM ${t} WHERE expires_on < now() ORDER BY expires_on LIMIT $1),
       gone AS (DELETE FROM ${t} WHERE id IN (SELECT id FROM victims) AND expires_on < now()
                RETURNING 1)
       SELECT true AS held, (SELECT count(*) FROM gone)::int AS deleted`,
    ),
    // Ended ids are kept only until their session would have expired anyway.
    deleteEnded: q(
      'delete_ended',
      `DELETE FROM ${endedTable(ref)} WHERE table_name = $1 AND expires_on < now()`,
    ),
  }
}
