import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultQuickstartOptions } from '../../src/quickstart/index.js'
import { launchChromium, openFile } from '../support/browser.js'
import { ROOT } from '../support/cli.js'
import { openWorkspace } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import { writeWorkspaceReport } from '../support/report-file.js'

/** The README shows this picture of the quickstart's report. */
const SCREENSHOT = join(ROOT, 'docs', 'report.png')

let workspace: EmbeddedWorkspace
let browser: Browser

beforeAll(async () => {
  workspace = openWorkspace()
  await workspace.seed(defaultQuickstartOptions)
  workspace.writePlan(readFileSync(join(ROOT, 'examples', 'quickstart', 'plan.yaml'), 'utf8'))
  await workspace.apply()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await workspace?.close()
})

describe("the quickstart's report", () => {
  it('shows every unit verified and every delete done, and is saved as the README picture', async () => {
    const file = join(workspace.dir, 'report.html')
    // The picture names the plan as the quickstart does, not by the test's folder.
    const model = await writeWorkspaceReport(workspace, file, true, { file: join('examples', 'quickstart', 'plan.yaml') })
    expect(model.totals).toEqual({ verified: 42, failed: 0, drifted: 0, running: 0, todo: 0 })
    const { page, watch } = await openFile(browser, file, { width: 1000, height: 700 })
    expect(await page.$$eval('table.grid td', (cells) => cells.map((cell) => cell.getAttribute('data-s')))).toEqual(Array(42).fill('verified'))
    expect(await page.$$eval('table.deletes tbody th', (rows) => rows.map((row) => row.textContent))).toEqual(['alaska-air', 'acme', 'globex'])
    expect(await page.$$eval('table.deletes tbody td:nth-of-type(1)', (cells) => cells.map((cell) => cell.textContent))).toEqual(Array(3).fill('2026-01-01 – 2026-01-15'))
    // The rows each delete was planned to remove: every customer had labels, stale ones among them.
    const planned = await page.$$eval('table.deletes tbody td:nth-of-type(2)', (cells) => cells.map((cell) => Number(cell.textContent?.replace(/[~,]/g, ''))))
    expect(planned.every((rows) => rows > 0)).toBe(true)
    expect(await page.$$eval('table.deletes tbody td:nth-of-type(3)', (cells) => cells.map((cell) => cell.textContent))).toEqual(['done', 'done', 'done'])
    for (const replicas of await page.$$eval('table.deletes tbody td:nth-of-type(4)', (cells) => cells.map((cell) => cell.textContent))) {
      expect(replicas).toMatch(/^\S+: mutation_\d+\.txt \(done, \d+ parts? rewritten\)$/)
    }
    await page.hover('table.grid tr:has(th:text-is("acme")) td:nth-of-type(5)')
    expect(await page.textContent('#details p')).toBe('local/acme/2026-01-05 · verified')
    // A window as tall as the page: the details panel sits below the deletes, not over them.
    await page.setViewportSize({ width: 1000, height: await page.evaluate<number>('document.documentElement.scrollHeight') })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    expect(watch.errors).toEqual([])
    expect(watch.requests).toHaveLength(1)
    expect(statSync(SCREENSHOT).mtimeMs).toBeGreaterThan(Date.now() - 60_000)
  })
})
