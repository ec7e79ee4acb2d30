/**
 * Set-Cookie rendering against Go's `sessions.NewCookie` + `http.Cookie.String()` outputs
 * (`set_cookie_vectors`), and Cookie header parsing.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type CookieOptions,
  isCookieNameValid,
  readCookie,
  renderSetCookie,
  type SameSite,
} from '../../src/index.ts'
import { assertCookieName, validateCookieOptions } from '../../src/session/options.ts'
import { vectors } from '../codec/go-vectors.ts'

interface SetCookieVector {
  id: string
  name: string
  value: string
  options: {
    path: string
    domain: string
    max_age: number
    secure: boolean
    http_only: boolean
    same_site: string
  }
  now_unix: number
  set_cookie: string
}

const sameSite: Record<string, SameSite> = {
  'unset(0)': false,
  SameSiteDefaultMode: false,
  SameSiteLaxMode: 'lax',
  SameSiteStrictMode: 'strict',
  SameSiteNoneMode: 'none',
}

/** A Set-Cookie line as `name=value` plus a set of lowercased attributes, order-free. */
function attributes(line: string): { pair: string; rest: Set<string> } {
  const [pair = '', ...rest] = line.split('; ')
  return { pair, rest: new Set(rest.map((a) => a.toLowerCase())) }
}

const all = (vectors as unknown as { set_cookie_vectors: SetCookieVector[] }).set_cookie_vectors

for (const vector of all) {
  test(`set_cookie_vectors/${vector.id}`, () => {
    const options: CookieOptions = {
      path: vector.options.path,
      domain: vector.options.domain || undefined,
      maxAge: vector.options.max_age,
      secure: vector.options.secure,
      httpOnly: vector.options.http_only,
      sameSite: sameSite[vector.options.same_site] ?? false,
      partitioned: false,
    }
    // Where Go silently drops a header or an attribute, we refuse with a typed usage error.
    if (vector.id === 'invalid-name') {
      assert.equal(vector.set_cookie, '')
      assert.throws(() => assertCookieName(vector.name), { code: 'ERR_INVALID_COOKIE_NAME' })
      return
    }
    if (vector.id === 'no-path' || vector.id === 'bad-domain') {
      assert.throws(() => validateCookieOptions(options, vector.name), {
        code: 'ERR_INVALID_OPTION',
      })
      return
    }
    const ours = renderSetCookie(vector.name, vector.value, options, vector.now_unix * 1000)
    assert.deepEqual(attributes(ours), attributes(vector.set_cookie))
  })
}

test('all ten Go vectors are covered', () => {
  assert.equal(all.length, 10)
})

test('readCookie takes the first of duplicate cookies and never percent-decodes', () => {
  assert.equal(readCookie('a=1; sid=FIRST; sid=SECOND', 'sid'), 'FIRST')
  assert.equal(readCookie('sid=abc%3D', 'sid'), 'abc%3D')
  assert.equal(readCookie('sid=YWJj==', 'sid'), 'YWJj==')
  assert.equal(readCookie('other=1', 'sid'), undefined)
  assert.equal(readCookie(undefined, 'sid'), undefined)
  assert.equal(readCookie('', 'sid'), undefined)
})

test('cookie names are RFC 6265 tokens: the registry error of Go, as a typed error', () => {
  assert.equal(
    (vectors as unknown as { registry_invalid_name_error: string }).registry_invalid_name_error,
    'sessions: invalid character in cookie name: session:key',
  )
  for (const bad of ['session:key', '', 'a b', 'a;b', 'a=b', 'séssion', 'a\nb', '(x)']) {
    assert.equal(isCookieNameValid(bad), false, bad)
  }
  for (const good of ['sid', 'session-key', '__Host-sid', "a!#$%&'*+-.^_`|~9"]) {
    assert.equal(isCookieNameValid(good), true, good)
  }
})

test('unsafe options are refused: attribute injection, SameSite=None or Partitioned without Secure, prefixes', () => {
  const base: CookieOptions = {
    path: '/',
    maxAge: 60,
    secure: true,
    httpOnly: true,
    sameSite: 'lax',
    partitioned: false,
  }
  const bad: Array<[Partial<CookieOptions>, string?]> = [
    [{ path: '/; Domain=evil.com' }],
    [{ path: '/\r\nX: y' }],
    [{ domain: 'a.com; Secure' }],
    [{ sameSite: 'none', secure: false }],
    [{ partitioned: true, secure: false }],
    [{ maxAge: 1.5 }],
    [{ maxAge: Number.NaN }],
    [{ secure: false }, '__Secure-sid'],
    [{ domain: 'a.com' }, '__Host-sid'],
    [{ path: '/app' }, '__Host-sid'],
    // Browsers match the prefixes case-insensitively, so these are prefixed cookies too.
    [{ secure: false }, '__secure-sid'],
    [{ secure: false }, '__SECURE-sid'],
    [{ domain: 'a.com' }, '__host-sid'],
    [{ path: '/app' }, '__HOST-sid'],
    [{ secure: false }, '__hOsT-sid'],
  ]
  for (const [override, name] of bad) {
    assert.throws(() => validateCookieOptions({ ...base, ...override }, name), {
      code: 'ERR_INVALID_OPTION',
    })
  }
  validateCookieOptions(base, '__Host-sid')
  validateCookieOptions(base, '__host-sid')
  validateCookieOptions({ ...base, secure: false }, '__Secur-sid')
})
