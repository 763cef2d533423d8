// The statements bf sent in an apply, read back from its state, for the plain script to
// send again in the same order: each customer's DELETE, and each unit's INSERT followed by
// the same grouped count queries bf's verify step sends.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dist } from '../lib/paths.js'

/** The engine of the quickstart's target table (src/quickstart/schema.ts). */
const QUICKSTART_TARGET_ENGINE = 'ReplacingMergeTree'

/**
 * `{canaries, deletes: [{customer, sql, params, settings, tag}], units: [{customer, insert, verify}]}`,
 * deletes and units each in the order bf started them. Delete params are the recorded inputs
 * plus the tag bf made at submission; insert params are the unit's bound parameters, as
 * bf's sql launcher binds them, under the same query id and deduplication token.
 */
export async function statementsOfApply(planFile) {
  const { loadPlan } = await dist('plan/load.js')
  const { collapsesOnMerge, figuresQuery } = await dist('warehouse/refresh-queries.js')
  const { unitParams } = await dist('warehouse/sql-values.js')
  const { spec } = await loadPlan(planFile)
  const snapshot = JSON.parse(await readFile(join(spec.statePath, 'snapshot.json'), 'utf8'))
  const inOrder = (kind) =>
    snapshot.steps.filter((step) => step.kind === kind).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.address.localeCompare(b.address))
  const cluster = spec.clusters[0]
  const readTable = { ...spec.target, table: spec.target.readTable }
  // bf counts a table whose merges collapse rows with FINAL, as its verify step does.
  const final = collapsesOnMerge(QUICKSTART_TARGET_ENGINE)
  const deletes = inOrder('delete').map((step) => ({
    customer: step.inputs.customer,
    sql: step.inputs.sql,
    params: { ...step.inputs.params, tag: step.outputs.tag },
    settings: step.inputs.settings,
    tag: step.outputs.tag,
  }))
  const units = inOrder('job').map((step) => {
    const customer = step.inputs.customer
    const window = { start: Date.parse(step.inputs.window.start), end: Date.parse(step.inputs.window.end) }
    const one = [{ id: customer, window }]
    return {
      customer,
      insert: {
        sql: spec.job.sql,
        params: unitParams({ customer, window, cluster: cluster.name }),
        queryId: step.outputs.queryId,
        settings: { insert_deduplication_token: step.outputs.deduplicationToken },
      },
      verify: [figuresQuery(readTable, one, spec.batch, { final }), ...(spec.expected ? [figuresQuery(spec.expected, one, spec.batch)] : [])],
    }
  })
  return { canaries: spec.rollout.canary, deletes, units, concurrency: spec.job.concurrency }
}
