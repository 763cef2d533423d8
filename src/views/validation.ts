import { unitCount } from '../plan/batches.js'
import type { PlanSpec } from '../plan/model.js'
import { plural } from './text.js'

/** What the plan covers: customers and units are counted only when every cluster lists its customers. */
function coverage(spec: PlanSpec): string {
  const listed = spec.clusters.reduce((total, cluster) => total + cluster.customers.length, 0)
  const discovering = spec.clusters.filter((cluster) => cluster.discover).length
  if (discovering === 0) return `${plural(listed, 'customer')}, ${plural(unitCount(spec), 'unit')} of ${spec.batch.text}`
  const found = `customers of ${plural(discovering, 'cluster')} found in the data when bf plans`
  return `${listed > 0 ? `${plural(listed, 'customer')} listed, ` : ''}${found}, batches of ${spec.batch.text}`
}

/** `plans/2026.yaml is valid` with what the plan covers and the env vars it needs. */
export function renderValidation(spec: PlanSpec): string {
  const lines = [`${spec.source.file} is valid`, `  ${spec.name}: ${plural(spec.clusters.length, 'cluster')}, ${coverage(spec)}, jobs: ${spec.job.kind}`]
  if (spec.envRefs.length > 0) lines.push(`  needs environment variables: ${spec.envRefs.join(', ')}`)
  return lines.join('\n')
}
