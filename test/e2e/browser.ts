/**
 * @module Browser helpers for the end-to-end test: Debian's Chromium driven by `playwright-core`,
 * screenshots under `test-results/e2e/`, and form posts that wait for the page they lead to.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'

/** Debian's package; playwright-core ships no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

const screenshots = new URL('../../test-results/e2e/', import.meta.url)

/** Starts headless Chromium, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run apt-get update && apt-get install -y chromium`,
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: 20_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/**
 * Saves a screenshot of the viewport as `test-results/e2e/<name>.png` and returns its path (a
 * full-page one costs twice as long, and the demo's pages fit the viewport).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshots, { recursive: true })
  const path = fileURLToPath(new URL(`${name}.png`, screenshots))
  await page.screenshot({ path, animations: 'disabled' })
  return path
}

/** Clicks a submit button and waits until the page the POST redirects to has loaded. */
export async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('load'), button.click()])
}

/** The page's main heading. */
export async function heading(page: Page): Promise<string> {
  return (await page.locator('main h1').textContent())?.trim() ?? ''
}

/** The flash messages on the page, in order. */
export async function flashes(page: Page): Promise<string[]> {
  return (await page.locator('.flash').allTextContents()).map((text) => text.trim())
}
