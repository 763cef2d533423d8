import { describe, expect, it } from 'vitest'
import { planCounts } from '../../src/plan/counts.js'
import { loadPlanText } from '../../src/plan/load.js'

/** CPU time of this process, in ms: unlike wall time, it does not grow when other work shares the machine. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1_000
}

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
    const started = cpuMs()
    const { spec } = loadPlanText(text, 'plans/large.yaml')
    const counts = planCounts(spec)
    const elapsed = cpuMs() - started
    expect(counts).toEqual({ clusters: 50, customers: 100_000, units: 36_600_000 })
    expect(spec.envRefs).toHaveLength(50)
    // About 1–2 s of CPU, nearly all of it YAML parsing; enumerating the 36.6 million units would take minutes.
    expect(elapsed).toBeLessThan(3_000)
  })

  it('reports its errors as fast', () => {
    const text = largePlan(50, 2_000).replace('      - customer-1999\n', '      - customer-0\n')
    const started = cpuMs()
    expect(() => loadPlanText(text, 'plans/large.yaml')).toThrow(/customer "customer-0" is listed twice in clusters\.cluster-0\.customers/)
    expect(cpuMs() - started).toBeLessThan(3_000)
  })
})
