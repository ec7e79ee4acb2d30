/**
 * @module Merge mode: a save applies only the keys this request changed onto the row as it is now,
 * under a row lock, so concurrent requests changing different keys both survive.
 */
import { isDeepStrictEqual } from 'node:util'
import { sealMulti, serializeWith } from '../codec/index.ts'
import { ConflictError } from '../errors.ts'
import type { Session, SessionValues } from '../session/session.ts'
import { rowKey, type StoreContext } from './context.ts'
import { type SqlConnection, transaction } from './driver.ts'
import { toStoreError } from './errors.ts'
import { openRow } from './row-values.ts'

/** The merged values, their bytes and the row's new version. */
export interface Merged {
  values: SessionValues
  bytes: Uint8Array
  version: string
}

/**
 * Applies the keys of `session` that differ from `original` (changed or removed) onto the locked
 * row, and writes it with the update statement's parameters `base` (`data` replaced).
 */
export async function mergeUpdate(
  ctx: StoreContext,
  session: Session<SessionValues>,
  original: SessionValues,
  base: unknown[],
): Promise<Merged> {
  const current = session.values as SessionValues
  const changed = Object.keys(current).filter((k) => !isDeepStrictEqual(current[k], original[k]))
  const removed = Object.keys(original).filter((k) => !(k in current))
  const { serializer } = ctx.settings
  try {
    return await transaction(ctx.pool, async (tx: SqlConnection) => {
      const locked = await tx.query<{ data: unknown; version: unknown }>({
        ...ctx.queries.lockForMerge,
        values: [rowKey(ctx, session.id)],
      })
      const row = locked.rows[0]
      if (!row) throw new ConflictError('gone')
      const { values } = openRow(session.name, row.data, ctx.codecs, serializer)
      for (const key of changed) values[key] = current[key]
      for (const key of removed) delete values[key]
      const bytes = serializeWith(serializer, values)
      const data = sealMulti(session.name, bytes, ctx.codecs)
      const result = await tx.query<{ version: unknown }>({
        ...ctx.queries.update,
        values: [base[0], data, ...base.slice(2)],
      })
      return { values, bytes, version: String(result.rows[0]?.version) }
    })
  } catch (error) {
    throw toStoreError(error, 'merge session')
  }
}
