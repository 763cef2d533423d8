import { describe, expect, it } from 'vitest'
import { emptyTotals } from '../../src/engine/report/model.js'
import type { ReportCluster, ReportModel, ReportUnit, UnitStatus } from '../../src/engine/report/model.js'
import { chooseColumns, isoWeek, MAX_CELLS } from '../../src/views/report/columns.js'
import type { GridDetails } from '../../src/views/report/grid.js'
import { renderReportHtml } from '../../src/views/report/render-report.js'

const DAY = 86_400_000

/** The cells' details the page holds, per grid. */
function detailsOf(html: string): GridDetails[] {
  const json = /<script type="application\/json" id="cell-details">(.*?)<\/script>/s.exec(html)?.[1]
  return JSON.parse(json ?? 'null') as GridDetails[]
}
const START = Date.UTC(2026, 0, 1)

function days(count: number, start = START): { label: string; start: number }[] {
  return Array.from({ length: count }, (_, index) => ({ label: new Date(start + index * DAY).toISOString().slice(0, 10), start: start + index * DAY }))
}

function cluster(customers: string[], count: number, statusOf: (customer: string, day: number) => UnitStatus = () => 'verified'): ReportCluster {
  const batches = days(count)
  const totals = emptyTotals()
  const made = customers.map((id) => ({
    id,
    window: { start: START, end: START + count * DAY },
    units: batches.map((batch, day): ReportUnit => {
      const status = statusOf(id, day)
      totals[status]++
      return { address: `local/${id}/${batch.label}`, label: batch.label, status, reasons: [], attempts: 1, ...(status === 'failed' ? { error: 'job failed: exit 3' } : {}) }
    }),
  }))
  return { name: 'local', batches, customers: made, deletes: [], totals }
}

function model(clusters: ReportCluster[]): ReportModel {
  const totals = emptyTotals()
  for (const each of clusters) for (const [status, count] of Object.entries(each.totals)) totals[status as UnitStatus] += count
  return { plan: { name: 'p', description: '', file: 'p.yaml' }, state: { lineage: 'l', serial: 1 }, recent: [], madeAt: new Date(START).toISOString(), refreshed: true, batch: { text: '1d', stepMs: DAY }, deletes: true, totals, clusters }
}

describe('report columns', () => {
  it('names ISO weeks, whose first week holds the year\'s first Thursday', () => {
    expect(isoWeek(Date.UTC(2026, 0, 1))).toBe('2026-W01')
    expect(isoWeek(Date.UTC(2025, 11, 29))).toBe('2026-W01')
    expect(isoWeek(Date.UTC(2026, 0, 5))).toBe('2026-W02')
    expect(isoWeek(Date.UTC(2027, 0, 1))).toBe('2026-W53')
  })

  it('keeps one column per batch while they fit, else groups by week, then by month, as the rows allow', () => {
    expect(chooseColumns(days(14), DAY, 3).size).toBe('batch')
    const year = chooseColumns(days(365), DAY, 300)
    expect(year.size).toBe('week')
    expect(year.columns).toHaveLength(53)
    expect(year.columns.flatMap((column) => column.labels)).toEqual(days(365).map((day) => day.label))
    // A thousand customers by 53 weeks would be too many cells: a column per month.
    const many = chooseColumns(days(365), DAY, 1_000)
    expect(many.size).toBe('month')
    expect(many.columns.map((column) => [column.label, column.labels.length])).toEqual([['2026-01', 31], ['2026-02', 28], ['2026-03', 31], ['2026-04', 30], ['2026-05', 31], ['2026-06', 30], ['2026-07', 31], ['2026-08', 31], ['2026-09', 30], ['2026-10', 31], ['2026-11', 30], ['2026-12', 31]])
    expect(53 * 1_000).toBeGreaterThan(MAX_CELLS)
    expect(chooseColumns(days(3 * 365), DAY, 10).size).toBe('month')
    const hours = Array.from({ length: 24 * 30 }, (_, index) => ({ label: new Date(START + index * 3_600_000).toISOString().slice(0, 13), start: START + index * 3_600_000 }))
    expect(chooseColumns(hours, 3_600_000, 5)).toMatchObject({ size: 'day', columns: { length: 30 } })
  })
})

describe('report page', () => {
  it('fills a week holding one failed day only a seventh in the failure colour, and names the failed unit', () => {
    const html = renderReportHtml(model([cluster(['acme'], 365, (_, day) => (day === 10 ? 'failed' : 'verified'))]))
    expect(html).toContain('data-columns="week"')
    const failed = [...html.matchAll(/<td data-s="failed"[^>]*>/g)].map((match) => match[0])
    expect(failed).toEqual(['<td data-s="failed" style="--p:14%">'])
    const [grid] = detailsOf(html)
    // 2026-W01 is Thursday 1 to Sunday 4 January; the failed 11th is in 2026-W02.
    expect(grid?.rows[0]?.slice(0, 3)).toEqual([0, 'local/acme 2026-W02 · 7 batches\n1 failed · 6 verified\nlocal/acme/2026-01-11 failed: job failed: exit 3', 0])
    expect(grid?.verified[0]).toBe('local/\u0000 2026-W01 · 4 batches\n4 verified')
  })

  it('escapes every text it shows, and loads nothing from elsewhere', () => {
    const html = renderReportHtml(model([cluster(['<script>alert(1)</script>'], 2)]))
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(detailsOf(html)[0]?.rows[0]?.[0]).toBe('local/<script>alert(1)</script>/2026-01-01 · verified\nattempts 1')
    expect(html).not.toMatch(/\b(src|href)=/)
    expect(html).toContain("default-src 'none'")
  })
})
