import { unitCount } from '../plan/batches.js'
import type { PlanSpec } from '../plan/model.js'
import { plural } from './text.js'

/** `plans/2026.yaml is valid` with what the plan covers and the env vars it needs. */
export function renderValidation(spec: PlanSpec): string {
  const customers = spec.clusters.reduce((total, cluster) => total + cluster.customers.length, 0)
  const lines = [
    `${spec.source.file} is valid`,
    `  ${spec.name}: ${plural(spec.clusters.length, 'cluster')}, ${plural(customers, 'customer')}, ${plural(unitCount(spec), 'unit')} of ${spec.batch.text}, jobs: ${spec.job.kind}`,
  ]
  if (spec.envRefs.length > 0) lines.push(`  needs environment variables: ${spec.envRefs.join(', ')}`)
  return lines.join('\n')
}
