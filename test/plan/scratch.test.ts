import { it } from 'vitest'
import { readYaml } from '../../src/plan/yaml-read.js'
import { validateAgainstSchema } from '../../src/plan/validate-schema.js'
import { semanticFindings } from '../../src/plan/checks/index.js'
import { loadPlanText } from '../../src/plan/load.js'
function largePlan(clusters: number, customersPerCluster: number): string {
  const lines = ['version: 1','name: large','window: { start: 2025-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z, batch: 1d }','target: { table: t, timeColumn: ts, customerColumn: c, keyColumns: [id] }','delete: { per: batch }','job: { kind: kubernetes, kubernetes: { cronJob: backfill, namespace: jobs }, env: { CUSTOMER: "{{ customer }}" } }','clusters:']
  for (let c = 0; c < clusters; c++) { lines.push(`  cluster-${c}:`, `    clickhouse: { url: "https://ch-${c}.internal:8443" }`, `    kubernetes: { context: ctx-${c} }`, '    customers:'); for (let i = 0; i < customersPerCluster; i++) lines.push(`      - customer-${i}`) }
  return `${lines.join('\n')}\n`
}
it('x', () => {
  const text = largePlan(50, 2000)
  for (let k = 0; k < 3; k++) {
  let t = performance.now()
  const r = readYaml(text); if (!r.ok) throw new Error()
  const t1 = performance.now()
  validateAgainstSchema(r.yaml.data)
  const t2 = performance.now()
  semanticFindings(r.yaml.data, () => 0)
  const t3 = performance.now()
  loadPlanText(text, 'x.yaml')
  const t4 = performance.now()
  console.log(`yaml ${(t1-t).toFixed(0)} ajv ${(t2-t1).toFixed(0)} sem ${(t3-t2).toFixed(0)} total ${(t4-t3).toFixed(0)}`)
  }
})
