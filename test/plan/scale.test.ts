import { describe, expect, it } from 'vitest'
import { unitCount } from '../../src/plan/batches.js'
import { loadPlanText } from '../../src/plan/load.js'
import type { PlanSpec } from '../../src/plan/model.js'
import { renderValidation } from '../../src/views/validation.js'

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

function customerEntries(spec: PlanSpec): number {
  return spec.clusters.reduce((sum, cluster) => sum + cluster.customers.length, 0)
}

describe('a large plan', () => {
  it('of 50 clusters × 2,000 customers × 366 days loads and is counted without enumerating its units', () => {
    const { spec } = loadPlanText(largePlan(50, 2_000), 'plans/large.yaml')
    expect(spec.clusters).toHaveLength(50)
    expect(customerEntries(spec)).toBe(100_000)
    expect(unitCount(spec)).toBe(36_600_000)
    expect(renderValidation(spec)).toContain('50 clusters, 100,000 customers, 36,600,000 units of 1d')
    expect(spec.envRefs).toHaveLength(50)
  })

  it('of hourly batches over a century is counted too: its units could never be enumerated', () => {
    const century = 'window: { start: 2000-01-01T00:00:00Z, end: 2100-01-01T00:00:00Z, batch: 1h }'
    const { spec } = loadPlanText(largePlan(50, 2_000, century), 'plans/large.yaml')
    const hours = (Date.parse('2100-01-01T00:00:00Z') - Date.parse('2000-01-01T00:00:00Z')) / 3_600_000
    expect(spec.clusters).toHaveLength(50)
    expect(customerEntries(spec)).toBe(100_000)
    expect(unitCount(spec)).toBe(100_000 * hours)
  })

  it('reports its errors', () => {
    const text = largePlan(50, 2_000).replace('      - customer-1999\n', '      - customer-0\n')
    expect(() => loadPlanText(text, 'plans/large.yaml')).toThrow(/customer "customer-0" is listed twice in clusters\.cluster-0\.customers/)
  })
})
