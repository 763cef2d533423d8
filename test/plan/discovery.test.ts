import { describe, expect, it } from 'vitest'
import { loadPlan, loadPlanText } from '../../src/plan/load.js'

const day = (d: number, month = 1) => Date.UTC(2026, month - 1, d)

describe('customer discovery in the plan file', () => {
  it('resolves from and query forms: defaults, exclusions, the cluster window and each found customer\'s own range', async () => {
    const { spec, warnings } = await loadPlan('test/fixtures/valid/discovery.yaml')
    expect(warnings).toEqual([])
    const [us, eu] = spec.clusters
    expect(us?.customers).toEqual([])
    expect(us?.discover).toEqual({
      source: { from: 'expected', minRows: 100 },
      exclude: ['internal-test'],
      window: { start: day(1), end: day(19, 2) },
      windows: [{ id: 'alaska-air', window: { start: day(15), end: day(19, 2) } }],
    })
    expect(eu?.discover).toMatchObject({ source: { query: expect.stringContaining('region = {cluster:String}') }, exclude: ['acme'], window: { start: day(1), end: day(1, 2) }, windows: [] })
  })

  it('takes minRows 1 and from target by default, and lets the canary name customers only discovery will find', () => {
    const text = `version: 1
name: minimal
window: { start: 2026-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z, batch: 1d }
target: { table: t, timeColumn: ts, customerColumn: c, keyColumns: [id] }
delete: {}
job: { kind: command, command: [./run.sh] }
rollout: { canary: [found-later] }
clusters:
  local: { clickhouse: { embedded: ./data }, customers: { from: target } }
`
    expect(loadPlanText(text, 'plan.yaml').spec.clusters[0]?.discover?.source).toEqual({ from: 'target', minRows: 1 })
    const windowed = text.replace('customers: { from: target }', 'customers: { from: target, windows: { acme: { start: 2026-01-03T00:00:00Z } } }')
    expect(() => loadPlanText(windowed, 'plan.yaml')).toThrow(
      "plan.yaml:9:99: clusters.local.customers.windows.acme.start (2026-01-03T00:00:00Z) must be before the end it takes from the plan's window (2026-01-02T00:00:00Z) (windows include their start and exclude their end)",
    )
  })
})
