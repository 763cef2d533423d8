import { describe, expect, it } from 'vitest'
import { planCounts } from '../../src/plan/counts.js'
import { loadPlanText } from '../../src/plan/load.js'

function largePlan(clusters: number, customersPerCluster: number, window = 'window: { start: 2025-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z, batch: 1d }'): string {
  const lines = [
    'version: 1',
    'name: large',
    window,
    'target: { table: t, timeColumn: ts, customerColumn: c, keyColumns: [id] }',
    'delete: { per: batch }',
    'job: { kind: kubernetes, kubernetes: { cronJob: backfill, namespace: jobs }, env: { CUSTOMER: "{{ customer }}" } }',
    'rollout: { canary: [customer-0] }',
    'clusters:',
  ]
  for (let c = 0; c < clusters; c++) {
    lines.push(`  cluster-${c}:`, `    clickhouse: { url: "https://ch-${c}.internal:8443", password: "\${env:CH_PASSWORD_${c}}" }`, `    kubernetes: { context: ctx-${c} }`, '    customers:')
    for (let i = 0; i < customersPerCluster; i++) lines.push(`      - customer-${i}`)
  }
  return `${lines.join('\n')}\n`
}

describe('a large plan', () => {
  it('of 50 clusters × 2,000 customers × 366 days loads and is counted without enumerating its units', () => {
    const { spec } = loadPlanText(largePlan(50, 2_000), 'plans/large.yaml')
    expect(planCounts(spec)).toEqual({ clusters: 50, customers: 100_000, units: 36_600_000 })
    expect(spec.envRefs).toHaveLength(50)
  })

  it('of hourly batches over a century is counted too: its units could never be enumerated', () => {
    const century = 'window: { start: 2000-01-01T00:00:00Z, end: 2100-01-01T00:00:00Z, batch: 1h }'
    const { spec } = loadPlanText(largePlan(50, 2_000, century), 'plans/large.yaml')
    const hours = (Date.parse('2100-01-01T00:00:00Z') - Date.parse('2000-01-01T00:00:00Z')) / 3_600_000
    expect(planCounts(spec)).toEqual({ clusters: 50, customers: 100_000, units: 100_000 * hours })
  })

  it('reports its errors', () => {
    const text = largePlan(50, 2_000).replace('      - customer-1999\n', '      - customer-0\n')
    expect(() => loadPlanText(text, 'plans/large.yaml')).toThrow(/customer "customer-0" is listed twice in clusters\.cluster-0\.customers/)
  })
})
