import { formatTimestamp } from '../plan/timestamp.js'
import { renderTemplate } from '../plan/template.js'
import type { ClusterSpec, PlanSpec, Unit, Window } from '../plan/model.js'
import type { JsonValue } from '../state/model.js'
import type { DeleteRequest } from '../warehouse/warehouse.js'
import type { PlanMemo } from './plan-memo.js'

/** Job env with `{{ … }}` rendered for one unit; `${env:…}` references stay unresolved. */
export function renderJobEnv(spec: PlanSpec, unit: Unit): Record<string, string> {
  const vars = {
    customer: unit.customer,
    cluster: unit.cluster,
    batchStart: unit.batch.start,
    batchEnd: unit.batch.end,
    batchDate: formatTimestamp(unit.batch.start).slice(0, 10),
    planName: spec.name,
  }
  const env: Record<string, string> = {}
  for (const [name, template] of Object.entries(spec.job.env)) env[name] = renderTemplate(template, vars)
  return env
}

/** What a unit's job step runs: a change in any of it re-runs the unit. Its window text comes from `memo`. */
export function jobInputs(spec: PlanSpec, unit: Unit, memo: PlanMemo): Record<string, JsonValue> {
  const { job } = spec
  // One literal, absent members as undefined (JSON and fingerprints leave them out): a plan keeps the inputs of every job it runs.
  return {
    kind: job.kind,
    customer: unit.customer,
    window: memo.windowText(unit.batch),
    env: Object.keys(job.env).length > 0 ? renderJobEnv(spec, unit) : undefined,
    sql: job.sql,
    command: job.command,
    kubernetes: job.kubernetes && kubernetesInputs(job.kubernetes),
    // With `rerun`, a new job template is a change of inputs: finished units run again.
    template: job.kubernetes?.onTemplateChange === 'rerun' ? memo.jobTemplates?.get(unit.cluster) : undefined,
  } as Record<string, JsonValue>
}

function kubernetesInputs({ cronJob, namespace, container }: NonNullable<PlanSpec['job']['kubernetes']>): Record<string, JsonValue> {
  return { cronJob, namespace, ...(container === undefined ? {} : { container }) }
}

/** The delete of one customer (or several) over `ranges`, as the warehouse will send it. */
export function deleteRequest(spec: PlanSpec, cluster: ClusterSpec, customer: string | string[], ranges: Window[], tag: string): DeleteRequest {
  if (spec.delete === false) throw new Error('plan has no deletes')
  return {
    target: spec.target,
    customer,
    ranges,
    mode: spec.delete.mode,
    settings: spec.delete.settings,
    ...(cluster.clickhouse.cluster === undefined ? {} : { onCluster: cluster.clickhouse.cluster }),
    tag,
  }
}

/** Placeholder tag used when a statement is built for review; the real tag is made at submission. */
export const REVIEW_TAG = 'bf:review'

/** What a verify step checks for one unit. */
export function verifyInputs(spec: PlanSpec, customer: string): Record<string, JsonValue> {
  const checks = spec.verify.checks
    .filter((check) => check.customers === undefined || check.customers.includes(customer))
    .map((check) => ({ name: check.name, sql: check.sql, expect: check.expect as JsonValue }))
  const inputs: Record<string, JsonValue> = {
    duplicates: spec.verify.duplicates,
    readTable: `${spec.target.database}.${spec.target.readTable}`,
    keyColumns: spec.target.keyColumns,
    checks,
  }
  if (spec.verify.ratio) inputs.ratio = { ...spec.verify.ratio }
  if (spec.expected) inputs.expected = `${spec.expected.database}.${spec.expected.table}`
  return inputs
}
