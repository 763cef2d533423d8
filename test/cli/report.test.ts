import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TempDirs } from '../reliability/workspace.js'
import { relabelPlan } from '../support/embedded-workspace.js'
import { bf, ensureBuilt, seedQuickstart } from '../support/cli.js'

const dirs = new TempDirs()

beforeAll(() => ensureBuilt())
afterAll(() => dirs.removeAll())

describe('bf report', () => {
  it('writes the page with live figures and says what it holds', () => {
    const dir = dirs.make('bf-cli-report-')
    seedQuickstart(join(dir, 'data'), { customers: 2, days: 3, conversationsPerDay: 20 })
    const plan = join(dir, 'plan.yaml')
    writeFileSync(plan, relabelPlan({ customers: ['alaska-air', 'acme'] }))
    const out = join(dir, 'report.html')
    const run = bf(['report', plan, '-o', out])
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe(`Wrote ${out}: 6 units: 6 to do\n`)
    const html = readFileSync(out, 'utf8')
    expect(html).toContain('with live figures from ClickHouse')
    // Rows are live but no job of bf wrote them: the figures come from the refresh.
    const details = JSON.parse(/<script type="application\/json" id="cell-details">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as { rows: string[][] }[]
    expect(details[0]?.rows[1]?.[1]).toMatch(/^local\/acme\/2026-01-02 · to do\nrows \d+ · keys 20 · expected 20 · ratio 1\.000 \(live\)\nnot run yet$/)
  })

  it('with --refresh=false, reports from the state alone without reaching ClickHouse', () => {
    const dir = dirs.make('bf-cli-report-')
    const plan = join(dir, 'plan.yaml')
    // Nothing listens on port 9: a query would fail the command.
    writeFileSync(plan, relabelPlan({ customers: ['acme'] }).replace('embedded: ./data', 'url: http://127.0.0.1:9'))
    const out = join(dir, 'report.html')
    const run = bf(['report', plan, '-o', out, '--refresh=false'])
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe(`Wrote ${out}: 3 units: 3 to do\n`)
    expect(readFileSync(out, 'utf8')).toContain('from the state alone (--refresh=false)')
  })

  it('asks for the file to write in one line', () => {
    const run = bf(['report', 'plan.yaml'])
    expect(run.status).toBe(1)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toContain('Missing required flag out')
  })
})
