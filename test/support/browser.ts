import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'

/** The system's Chromium (Debian's `chromium` package); `BF_CHROMIUM` names another. */
export const CHROMIUM = process.env.BF_CHROMIUM ?? '/usr/bin/chromium'

/**
 * Flags for a headless Chromium on a machine without network: without the background
 * services off, it waits on requests that never come back.
 */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * Starts the system's Chromium (with a fresh profile of its own). Fails, never skips,
 * when it is missing, saying how to install it.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the report's browser tests need it. Install it with \`sudo apt-get install -y chromium\` (Debian, Ubuntu), or set BF_CHROMIUM to a Chromium or Chrome executable.`)
  }
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
}

/** What a page did while it loaded: errors on its console or thrown, and every request it made. */
export interface PageWatch {
  errors: string[]
  requests: string[]
}

/** Opens `file` in a new page, recording console errors, uncaught errors and requests from the start. */
export async function openFile(browser: Browser, file: string, viewport = { width: 1200, height: 800 }): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport })
  const watch: PageWatch = { errors: [], requests: [] }
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text())
  })
  page.on('pageerror', (error) => watch.errors.push(error.message))
  page.on('request', (request) => watch.requests.push(request.url()))
  await page.goto(`file://${file}`, { waitUntil: 'load' })
  return { page, watch }
}
