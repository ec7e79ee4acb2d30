/**
 * The demo in a real browser: pages that only read, sign-in with a renewed id, a flash shown once,
 * a counter kept across sign-in, cookie attributes as the browser stores them, listing and revoking sessions from a second
 * and third browser, and sign-out. Rows are checked with SQL behind the pages.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core'
import { type Demo, startDemo } from '../../examples/demo/app.ts'
import { createTestSchema, type TestSchema } from '../support/pg.ts'
import { flashes, heading, launchChromium, screenshot, submit } from './browser.ts'

// Characters that would be markup if a page forgot to escape them.
const USER = 'Ada & <i>Lovelace</i>'
const PASSWORD = 'correct horse battery staple'
const SECOND_AGENT = 'E2E <b>second</b> device (X11; Linux x86_64)'
// Tall enough for every page, so a viewport screenshot shows it whole.
const VIEWPORT = { width: 1280, height: 800 }

// Set up inside the test, so its timeout bounds setup too; `after` cleans up whatever started.
let db: TestSchema | undefined
let demo: Demo | undefined
let browser: Browser | undefined

after(
  async () => {
    await browser?.close()
    await demo?.close()
    await db?.drop()
  },
  { timeout: 10_000 },
)

interface Row {
  id: string
  owner: string | null
}

async function rows(): Promise<Row[]> {
  const result = await db!.query('SELECT id::text AS id, owner FROM http_sessions ORDER BY id')
  return result.rows as Row[]
}

async function ownedRows(): Promise<Row[]> {
  return (await rows()).filter((row) => row.owner === USER)
}

async function sidCookie(context: BrowserContext): Promise<Cookie | undefined> {
  return (await context.cookies()).find((cookie) => cookie.name === 'sid')
}

async function counter(page: Page): Promise<number> {
  return Number(await page.getByTestId('counter').textContent())
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`)
  await page.locator('#name').fill(USER)
  await page.locator('#password').fill(PASSWORD)
  await submit(page, page.getByRole('button', { name: 'Sign in' }))
}

test('the demo in Chromium', { timeout: 45_000 }, async (t) => {
  db = await createTestSchema('e2e demo')
  const failures: string[] = []
  const log = (line: string): void => void failures.push(line)
  demo = await startDemo({ port: 0, databaseUrl: db.url, schema: db.schema, log })
  const chrome = (browser = await launchChromium())
  const url = demo.url
  const a = await chrome.newContext({ viewport: VIEWPORT })
  const page = await a.newPage()
  page.setDefaultTimeout(10_000)
  let anonymousId = ''
  let anonymousCookie: Cookie | undefined

  await t.test('an anonymous visit only reads; counting starts a session', async () => {
    await page.goto(`${url}/`)
    assert.equal(await heading(page), 'Welcome')
    assert.match((await page.locator('main').textContent()) ?? '', /No visit counted yet/)
    assert.deepEqual(await rows(), [], 'reading the page wrote no row')
    assert.equal(await sidCookie(a), undefined, 'reading the page set no cookie')
    await submit(page, page.getByRole('button', { name: 'Count a visit' }))
    assert.match((await page.locator('main').textContent()) ?? '', /One visit counted/)
    const before = await rows()
    assert.equal(before.length, 1)
    assert.equal(before[0]?.owner, null)
    anonymousId = before[0]?.id ?? ''
    anonymousCookie = await sidCookie(a)
    assert.ok(anonymousCookie, 'the first change sets the session cookie')
    await screenshot(page, '01-sign-in')
  })

  await t.test('sign-in renews the id, binds the owner and shows the flash once', async () => {
    await page.locator('#name').fill(USER)
    await page.locator('#password').fill(PASSWORD)
    await submit(page, page.getByRole('button', { name: 'Sign in' }))
    assert.equal(await heading(page), `Hello, ${USER}`)
    assert.deepEqual(await flashes(page), [`Welcome, ${USER}! You are signed in.`])
    // Escaped: the name shows as text and makes no element.
    assert.equal(await page.locator('main i, nav i').count(), 0)
    assert.equal(await counter(page), 1, 'the visit counted before sign-in is kept')
    const after = await rows()
    assert.equal(after.length, 1, 'the pre-sign-in row is gone')
    assert.equal(after[0]?.owner, USER)
    assert.notEqual(after[0]?.id, anonymousId, 'the session was written under a new id')
    await screenshot(page, '02-home-after-sign-in')

    await page.reload()
    assert.deepEqual(await flashes(page), [], 'a flash is shown once')
    assert.equal(await counter(page), 1, 'a reload only reads')
    await submit(page, page.getByRole('button', { name: 'Count a visit' }))
    assert.equal(await counter(page), 2)
    await screenshot(page, '03-home')
  })

  await t.test('the cookie is HttpOnly and SameSite=Lax in the cookie jar', async () => {
    const cookie = await sidCookie(a)
    assert.ok(cookie)
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Lax')
    assert.equal(cookie.path, '/')
    assert.ok(cookie.expires > Date.now() / 1000, 'a persistent cookie (Max-Age)')
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read it')
  })

  await t.test('the cookie from before sign-in no longer loads a session', async () => {
    assert.ok(anonymousCookie)
    // Replayed outside the browser, whose jar now holds the new cookie.
    const response = await fetch(`${url}/`, {
      headers: { cookie: `sid=${anonymousCookie.value}` },
    })
    const body = await response.text()
    assert.equal(response.status, 200)
    assert.match(body, /<h1>Welcome<\/h1>/)
    assert.match(body, /No visit counted yet/)
  })

  const b = await chrome.newContext({ userAgent: SECOND_AGENT, viewport: VIEWPORT })
  const second = await b.newPage()
  second.setDefaultTimeout(10_000)

  await t.test('a second browser signs in; the sessions page lists both', async () => {
    await signIn(second, url)
    assert.equal(await heading(second), `Hello, ${USER}`)
    assert.equal((await ownedRows()).length, 2)

    await page.goto(`${url}/sessions`)
    const listed = page.locator('tbody tr')
    assert.equal(await listed.count(), 2)
    assert.equal(await page.locator('tr.current').count(), 1)
    assert.match((await page.locator('tr.current').textContent()) ?? '', /this device/)
    const other = page.locator('tbody tr:not(.current)')
    assert.equal((await other.locator('.agent').textContent())?.trim(), SECOND_AGENT)
    assert.equal(await page.locator('main b').count(), 0, 'the user agent is escaped')
    await screenshot(page, '04-sessions')
  })

  await t.test('revoking the other session signs that browser out', async () => {
    await submit(
      page,
      page.locator('tbody tr:not(.current)').getByRole('button', { name: 'Revoke' }),
    )
    assert.deepEqual(await flashes(page), ['Session revoked.'])
    assert.equal(await page.locator('tbody tr').count(), 1)
    assert.equal((await ownedRows()).length, 1)
    await screenshot(page, '05-sessions-after-revoke')

    await second.reload()
    assert.equal(await heading(second), 'Welcome', 'the revoked browser is signed out')
  })

  await t.test('"sign out everywhere else" keeps only this browser', async () => {
    await signIn(second, url)
    assert.equal((await ownedRows()).length, 2)
    await page.goto(`${url}/sessions`)
    await submit(page, page.getByRole('button', { name: 'Sign out everywhere else' }))
    assert.deepEqual(await flashes(page), ['Signed out 1 other session.'])
    assert.equal(await page.locator('tbody tr').count(), 1)
    assert.equal((await ownedRows()).length, 1)
    await second.reload()
    assert.equal(await heading(second), 'Welcome')
    assert.equal(await heading(page), 'Your sessions', 'this browser is still signed in')
  })
  await b.close()

  await t.test('sign-out deletes the row and removes the cookie', async () => {
    const mine = await ownedRows()
    assert.equal(mine.length, 1)
    await page.goto(`${url}/`)
    await submit(page, page.getByRole('button', { name: 'Sign out' }))
    assert.equal(new URL(page.url()).pathname, '/signed-out')
    assert.equal(await heading(page), 'Signed out')
    assert.equal(await sidCookie(a), undefined, 'the browser dropped the expired cookie')
    assert.deepEqual(await ownedRows(), [])
    const ids = (await rows()).map((row) => row.id)
    assert.ok(!ids.includes(mine[0]?.id ?? ''), 'the row is deleted')
    assert.equal(await page.locator('nav').getByText('Not signed in').count(), 1)
    await screenshot(page, '06-signed-out')
  })
  await a.close()
  assert.deepEqual(failures, [], 'no request failed on the server')
})
