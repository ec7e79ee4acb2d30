/**
 * @module libpq's multi-host URLs (`postgres://h1:5432,h2:5433/db?target_session_attrs=read-write`),
 * which `pg` does not parse: split into one single-host URL per server, in the order given.
 */
import { UsageError } from '../errors.ts'

/** One server of a URL, with a single-host URL `pg` can use. */
export interface HostEntry {
  /** `host:port` as written (IPv6 in brackets); safe to log, it holds no credential. */
  readonly label: string
  /** The URL with only this server: credentials, database and parameters kept. */
  readonly url: string
}

/** What a URL asks for: its servers, and whether only a writable one will do. */
export interface HostList {
  readonly hosts: readonly HostEntry[]
  /** `true` for `target_session_attrs=read-write` (or `primary`): never use a read-only server. */
  readonly readWrite: boolean
}

const urlShape = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/s

/**
 * Splits `dbURL`. A URL that is not `postgres://` (or has no host) comes back whole, as one
 * entry: `pg` reads it as it always did.
 *
 * @example
 * ```ts
 * parseHostList('postgres://u@a:5432,b:5433/db?target_session_attrs=read-write')
 * // { readWrite: true, hosts: [{ label: 'a:5432', ... }, { label: 'b:5433', ... }] }
 * ```
 */
export function parseHostList(dbURL: string): HostList {
  const match = urlShape.exec(dbURL)
  if (!match) return { hosts: [{ label: 'database', url: dbURL }], readWrite: false }
  const [, scheme = '', authority = '', rest = ''] = match
  const at = authority.lastIndexOf('@')
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1)
  const hostPart = authority.slice(at + 1)
  const { query, readWrite } = takeTargetAttrs(rest)
  if (hostPart === '') return { hosts: [{ label: 'database', url: dbURL }], readWrite }
  const hosts = hostPart.split(',').map((item) => {
    if (!/^(\[[0-9a-fA-F:.]+\]|[^[\]:]+)(:\d{1,5})?$/.test(item)) {
      throw new UsageError('ERR_INVALID_OPTION', 'the database URL has a malformed host list')
    }
    const label = /:\d+$/.test(item) ? item : `${item}:5432`
    return { label, url: `${scheme}${userinfo}${item}${query}` }
  })
  return { hosts, readWrite }
}

// Removes target_session_attrs (pg would not understand it) and reads it.
function takeTargetAttrs(rest: string): { query: string; readWrite: boolean } {
  const q = rest.indexOf('?')
  if (q === -1) return { query: rest, readWrite: false }
  const params = rest
    .slice(q + 1)
    .split('&')
    .filter((p) => p !== '')
  let readWrite = false
  const kept: string[] = []
  for (const param of params) {
    const [name, value = ''] = param.split('=')
    if (name !== 'target_session_attrs') {
      kept.push(param)
      continue
    }
    const wanted = decodeURIComponent(value)
    if (wanted === 'read-write' || wanted === 'primary') readWrite = true
    else if (wanted !== 'any') {
      throw new UsageError(
        'ERR_INVALID_OPTION',
        'target_session_attrs must be any, read-write or primary (pgstore writes)',
      )
    }
  }
  return { query: rest.slice(0, q) + (kept.length ? `?${kept.join('&')}` : ''), readWrite }
}
