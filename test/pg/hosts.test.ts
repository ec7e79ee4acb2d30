/**
 * libpq multi-host URLs: split per server with credentials and parameters kept,
 * target_session_attrs read and removed, bad lists and unsupported targets rejected typed.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseHostList } from '../../src/pg/hosts.ts'

test('a multi-host URL becomes one URL per server, in order', () => {
  const list = parseHostList(
    'postgres://u:p%40ss@127.0.0.2:5432,[::1]:5433,localhost/app?target_session_attrs=read-write&sslmode=disable',
  )
  assert.equal(list.readWrite, true)
  assert.deepEqual(
    list.hosts.map((h) => h.label),
    ['127.0.0.2:5432', '[::1]:5433', 'localhost:5432'],
  )
  assert.equal(list.hosts[1]?.url, 'postgres://u:p%40ss@[::1]:5433/app?sslmode=disable')
})

test('single hosts and other URLs pass through as they are', () => {
  const url = 'postgres://u@h:5432/db?application_name=x'
  assert.deepEqual(parseHostList(url), { readWrite: false, hosts: [{ label: 'h:5432', url }] })
  const socket = 'socket:/var/run/postgresql?db=x'
  assert.equal(parseHostList(socket).hosts[0]?.url, socket)
  assert.equal(parseHostList('postgresql://h/db?target_session_attrs=primary').readWrite, true)
  assert.equal(parseHostList('postgresql://h/db?target_session_attrs=any').readWrite, false)
})

test('a malformed host list or an unsupported target is a typed usage error', () => {
  for (const url of [
    'postgres://a:1,,b:2/db',
    'postgres://a:x/db',
    'postgres://h/db?target_session_attrs=read-only',
    'postgres://h/db?target_session_attrs=standby',
  ]) {
    assert.throws(() => parseHostList(url), { code: 'ERR_INVALID_OPTION' }, url)
  }
})
