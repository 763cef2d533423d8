import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStateStore } from '../../src/cli/engine-wiring.js'
import type { ReportModel } from '../../src/engine/report/model.js'
import type { StateSnapshot } from '../../src/state/model.js'
import { renderReportHtml } from '../../src/views/report/render-report.js'
import { launchChromium, openFile } from '../support/browser.js'
import type { PageWatch } from '../support/browser.js'
import { openWorkspace, relabelPlan } from '../support/embedded-workspace.js'
import type { EmbeddedWorkspace } from '../support/embedded-workspace.js'
import { writeWorkspaceReport } from '../support/report-file.js'

// One apply on the embedded engine gives every status: acme's verify fails on
// 2026-01-02 (a check), alaska-air's 2026-01-03 drifts after it was verified (a stale
// row comes back), globex is left out of the apply (to do) and its window starts a day
// late (its first batch is not in its window).
const CHECK = `verify:
  checks:
    - name: not-the-second
      customers: [acme]
      sql: "SELECT toDate({start:DateTime}) = toDate('2026-01-02')"
      expect: { equals: 0 }
`

let workspace: EmbeddedWorkspace
let browser: Browser
let page: Page
let watch: PageWatch
let state: StateSnapshot

beforeAll(async () => {
  workspace = openWorkspace()
  await workspace.seed({ customers: 3, days: 3, conversationsPerDay: 40, seed: 3 })
  const globex = JSON.stringify({ id: 'globex', window: { start: '2026-01-02T00:00:00Z', end: '2026-01-04T00:00:00Z' } })
  const plan = relabelPlan({ customers: ['alaska-air', 'acme'] }).replace('["alaska-air","acme"]', `["alaska-air","acme",${globex}]`).replace(/verify:\n {2}duplicates: true\n/, `${CHECK}  duplicates: true\n`)
  workspace.writePlan(plan)
  await workspace.apply({ selection: { targets: [], excludes: ['local/globex'] } })
  await workspace.sql.command({
    query: `INSERT INTO conversation_with_labels SELECT conversation_id, customer_id, profile_id, concat(agent_user_id, '-old'), conversation_end_time, label, labeled_at
            FROM conversation_with_labels WHERE customer_id = 'alaska-air' AND toDate(conversation_end_time) = '2026-01-03' LIMIT 1`,
  })
  const file = join(workspace.dir, 'report.html')
  await writeWorkspaceReport(workspace, file)
  state = await openStateStore(await workspace.load()).read()
  browser = await launchChromium()
  ;({ page, watch } = await openFile(browser, file))
})

afterAll(async () => {
  await browser?.close()
  await workspace?.close()
})

/** Each grid cell as `customer/label` → its status. */
async function cells(): Promise<Map<string, string>> {
  const found = await page.evaluate<[string, string][]>(`(() => {
    const labels = [...document.querySelectorAll('.grid thead th[scope=col]')].slice(1).map((head) => head.getAttribute('title'))
    return [...document.querySelectorAll('.grid tbody tr')].flatMap((row) =>
      [...row.querySelectorAll('td')].map((cell, index) => [row.querySelector('th').textContent + '/' + labels[index], cell.getAttribute('data-s')]))
  })()`)
  return new Map(found)
}

/** The status the state gives a unit: its verify's status, or to do when its job never ran. */
function statusInState(unit: string): string {
  const verify = state.steps.get(`${unit}/verify`)
  const job = state.steps.get(`${unit}/job`)
  if (job?.status === 'failed' || verify?.status === 'failed') return 'failed'
  if (verify?.status === 'succeeded') return 'verified'
  return 'todo'
}

async function details(): Promise<string[]> {
  return page.$$eval('#details p', (lines) => lines.map((line) => line.textContent ?? ''))
}

describe('bf report in Chromium', () => {
  it('loads without a console error and requests nothing but the file itself', () => {
    expect(watch.errors).toEqual([])
    expect(watch.requests).toEqual([`file://${join(workspace.dir, 'report.html')}`])
  })

  it('gives every cell the status the state records, drift from the live figures, and marks batches outside a window', async () => {
    const shown = await cells()
    expect(shown.size).toBe(9)
    for (const [cell, status] of shown) {
      if (cell === 'globex/2026-01-01') expect(status, cell).toBe('outside')
      else if (cell === 'alaska-air/2026-01-03') expect(status, cell).toBe('drifted')
      else expect(status, cell).toBe(statusInState(`local/${cell}`))
    }
    expect(statusInState('local/alaska-air/2026-01-03')).toBe('verified')
    expect([...shown.values()].sort()).toEqual(['drifted', 'failed', 'outside', 'todo', 'todo', 'verified', 'verified', 'verified', 'verified'])
  })

  it('shows a status by a symbol as well as by colour', async () => {
    const looks = await page.evaluate<[string, string, string][]>(
      `[...document.querySelectorAll('table.grid td')].map((cell) => [cell.getAttribute('data-s'), cell.textContent, getComputedStyle(cell).backgroundImage + getComputedStyle(cell).backgroundColor])`,
    )
    const byStatus = new Map(looks.map(([status, symbol, colour]) => [status, { symbol, colour }]))
    expect(Object.fromEntries([...byStatus].map(([status, look]) => [status, look.symbol]))).toEqual({ verified: '✓', failed: '✕', drifted: '≠', todo: '○', outside: '' })
    expect(new Set([...byStatus.values()].map((look) => look.colour)).size).toBe(byStatus.size)
  })

  it('shows a cell\'s address, figures, attempts, duration, query id and error when hovered', async () => {
    await page.hover('table.grid tr:has(th:text-is("acme")) td:nth-of-type(2)')
    const lines = await details()
    expect(lines[0]).toBe('local/acme/2026-01-02 · failed')
    expect(lines).toContain('verify failed: not-the-second: saw 1, expected = 0')
    const record = state.steps.get('local/acme/2026-01-02/job')
    expect(lines).toContain(`query id ${String(record?.outputs?.queryId)}`)
    expect(lines.find((line) => line.startsWith('attempts '))).toMatch(/^attempts 1 · took \d+(ms|s)$/)
    expect(lines.find((line) => line.startsWith('rows '))).toMatch(/^rows 40 · keys 40 · expected 40 · ratio 1\.000 \(live\)$/)
  })

  it('shows the same details when a cell gets the keyboard focus', async () => {
    await page.hover('h1')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(`document.activeElement.closest('tr').querySelector('th').textContent`)).toBe('alaska-air')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    const focused = await details()
    expect(focused[0]).toBe('local/alaska-air/2026-01-03 · drifted')
    expect(focused).toContain('drift: 1 duplicate keys')
    await page.hover('h1')
    await page.hover('table.grid tr:has(th:text-is("alaska-air")) td:nth-of-type(3)')
    expect(await details()).toEqual(focused)
  })

  it('shows the details of grouped columns, all verified or not, on hover and focus', async () => {
    const days = 365
    const verified = Array.from({ length: days }, (_, day) => {
      const label = new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10)
      return { address: `local/acme/${label}`, label, status: day === 10 ? ('failed' as const) : ('verified' as const), reasons: [], attempts: 1, ...(day === 10 ? { error: 'job failed: exit 3' } : {}) }
    })
    const batches = verified.map((unit) => ({ label: unit.label, start: Date.parse(`${unit.label}T00:00:00Z`) }))
    const totals = { failed: 1, drifted: 0, running: 0, todo: 0, verified: days - 1 }
    const model: ReportModel = {
      plan: { name: 'year', description: '', file: 'year.yaml' },
      state: { lineage: 'l', serial: 1 },
      recent: [],
      madeAt: '2027-01-01T00:00:00.000Z',
      refreshed: false,
      batch: { text: '1d', stepMs: 86_400_000 },
      deletes: false,
      totals,
      clusters: [{ name: 'local', batches, customers: [{ id: 'acme', window: { start: Date.UTC(2026, 0, 1), end: Date.UTC(2027, 0, 1) }, units: verified }], deletes: [], totals }],
    }
    const file = join(workspace.dir, 'year.html')
    writeFileSync(file, renderReportHtml(model))
    const year = await openFile(browser, file)
    expect(await year.page.getAttribute('.grid-wrap', 'data-columns')).toBe('week')
    await year.page.hover('.grid td:nth-of-type(3)')
    expect(await year.page.$$eval('#details p', (lines) => lines.map((line) => line.textContent))).toEqual(['local/acme 2026-W03 · 7 batches', '7 verified'])
    await year.page.keyboard.press('Tab')
    await year.page.keyboard.press('ArrowRight')
    expect(await year.page.$$eval('#details p', (lines) => lines.map((line) => line.textContent))).toEqual(['local/acme 2026-W02 · 7 batches', '1 failed · 6 verified', 'local/acme/2026-01-11 failed: job failed: exit 3'])
    expect(year.watch.errors).toEqual([])
    await year.page.close()
  })

  it('counts the units of each status in the header', async () => {
    const legend = await page.$$eval('.legend li', (items) => items.map((item) => item.textContent?.trim()))
    expect(legend).toEqual(['✓ verified 4', '✕ failed 1', '≠ drifted 1', '▶ running 0', '○ to do 2', 'not in window'])
  })
})
