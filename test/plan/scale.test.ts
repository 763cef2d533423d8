import { describe, expect, it } from 'vitest'
import { planCounts } from '../../src/plan/counts.js'
import { loadPlanText } from '../../src/plan/load.js'

function largePlan(clusters: number, customersPerCluster: number): string {
  const lines = [
    'version: 1',
    'name: large',
    'window: { start: 2025-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z, batch: 1d }',
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
  it('of 50 clusters × 2,000 customers × 366 days loads in well under a few seconds', () => {
    const text = largePlan(50, 2_000)
    const started = performance.now()
    const { spec } = loadPlanText(text, 'plans/large.yaml')
    const counts = planCounts(spec)
    const elapsed = performance.now() - started
    expect(counts).toEqual({ clusters: 50, customers: 100_000, units: 36_600_000 })
    expect(spec.envRefs).toHaveLength(50)
    expect(elapsed).toBeLessThan(3_000)
  })

  it('reports its errors as fast', () => {
    const text = largePlan(50, 2_000).replace('      - customer-1999\n', '      - customer-0\n')
    const started = performance.now()
    expect(() => loadPlanText(text, 'plans/large.yaml')).toThrow(/customer "customer-0" is listed twice in clusters\.cluster-0\.customers/)
    expect(performance.now() - started).toBeLessThan(3_000)
  })
})
