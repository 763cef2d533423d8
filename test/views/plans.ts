import type { ComputedPlan, PlannedStep, PlannedUnit } from '../../src/engine/plan-model.js'
import { summarizePlan } from '../../src/engine/plan-summary.js'
import { joinAddress } from '../../src/plan/address.js'
import type { JsonValue, StepKind } from '../../src/state/model.js'

/** Hand-built plans for the view tests: what the planner would produce, small and fixed. */

const HOUR = 3_600_000
const DAY = 24 * HOUR
const at = (iso: string): number => Date.parse(iso)
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')
const sqlTime = (ms: number): string => iso(ms).replace('T', ' ').replace('Z', '')

const DELETE_SQL =
  'ALTER TABLE default.conversation_with_labels ON CLUSTER conversations DELETE\n' +
  'WHERE customer_id = {customer:String}\n' +
  '  AND conversation_end_time >= {start:DateTime}\n' +
  '  AND conversation_end_time < {end:DateTime}'

const DESCRIPTION =
  'Re-run cron-label-conversations over 2026 after the ended_at fix (go-servers#25706).\n' +
  'conversation_with_labels orders by mutable columns (agent, end hour), so the stale\n' +
  'rows must be deleted before the cron re-inserts them, or they stay as duplicates.\n'

interface UnitSpec {
  cluster: string
  customer: string
  start: number
  stepMs: number
  count: number
  action: PlannedUnit['action']
  reasons?: string[]
  live?: PlannedUnit['live']
  inputsDiff?: string
  /** A delete of the plan removes the unit's rows first (`-/+`); otherwise a re-run keeps them (`~`). */
  deletedFirst?: boolean
}

function labelOf(start: number, stepMs: number): string {
  return stepMs % DAY === 0 ? iso(start).slice(0, 10) : iso(start).slice(0, 13)
}

/** `count` consecutive units of one customer starting at `start`. */
export function units(spec: UnitSpec): PlannedUnit[] {
  return Array.from({ length: spec.count }, (_, i) => {
    const start = spec.start + i * spec.stepMs
    const label = labelOf(start, spec.stepMs)
    const unit: PlannedUnit = {
      address: joinAddress(spec.cluster, spec.customer, label),
      cluster: spec.cluster,
      customer: spec.customer,
      action: spec.action,
      reasons: spec.reasons ?? [],
    }
    if (spec.action !== 'forget') unit.batch = { start, end: start + spec.stepMs, label }
    if (spec.live) unit.live = spec.live
    if (spec.inputsDiff) unit.inputsDiff = spec.inputsDiff
    if (spec.deletedFirst) unit.deletedFirst = true
    return unit
  })
}

function jobInputs(unit: PlannedUnit): Record<string, JsonValue> {
  const batch = unit.batch ?? { start: 0, end: 0 }
  return {
    kind: 'kubernetes',
    customer: unit.customer,
    window: { start: iso(batch.start), end: iso(batch.end) },
    env: {
      ENABLE_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: 'true',
      LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START: iso(batch.start),
      LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END: iso(batch.end),
      LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE: '24h',
      FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: unit.customer,
    },
    kubernetes: { cronJob: 'cron-label-conversations', namespace: 'cresta-cron' },
  }
}

function step(kind: StepKind, address: string, cluster: string, rest: Partial<PlannedStep> = {}): PlannedStep {
  return { address, kind, dependsOn: [], cluster, fingerprint: `fp-${kind}-${address.length}`, inputs: {}, ...rest }
}

/** check → delete → await-mutation → (job → verify) per unit, as the planner chains one customer. */
export function customerSteps(cluster: string, customer: string, planned: PlannedUnit[], rows: number | undefined, window: { start: number; end: number }): PlannedStep[] {
  const check = joinAddress(cluster, 'check')
  const remove = joinAddress(cluster, customer, 'delete')
  const wait = joinAddress(cluster, customer, 'await-mutation')
  const steps: PlannedStep[] = [
    step('delete', remove, cluster, {
      customer,
      window,
      dependsOn: [check],
      inputs: {
        table: 'default.conversation_with_labels',
        customerColumn: 'customer_id',
        timeColumn: 'conversation_end_time',
        customer,
        window: { start: iso(window.start), end: iso(window.end) },
        sql: DELETE_SQL,
        params: { customer, start: sqlTime(window.start), end: sqlTime(window.end) },
        settings: { replication_wait_for_inactive_replica_timeout: 0 },
      },
      ...(rows === undefined ? {} : { estimatedRows: rows }),
    }),
    step('await-mutation', wait, cluster, { customer, window, dependsOn: [remove] }),
  ]
  for (const unit of planned) {
    if (unit.action === 'no-op' || unit.action === 'forget') continue
    const job = `${unit.address}/job`
    const base = { customer, unit: unit.address, ...(unit.batch ? { window: { start: unit.batch.start, end: unit.batch.end } } : {}) }
    steps.push(step('job', job, cluster, { ...base, dependsOn: [wait], inputs: jobInputs(unit) }))
    steps.push(step('verify', `${unit.address}/verify`, cluster, { ...base, dependsOn: [job], inputs: { duplicates: true } }))
  }
  return steps
}

/** A plan with `extra` laid over it, summed by the engine's own summary. */
function plan(name: string, planned: PlannedUnit[], steps: PlannedStep[], extra: Partial<Omit<ComputedPlan, 'summary'>> = {}): ComputedPlan {
  const forgetSteps = extra.forgetSteps ?? []
  return {
    formatVersion: '1',
    bfVersion: '0.1.0',
    plan: { name, description: DESCRIPTION, file: 'plans/2026.yaml', sha256: '4f6c1f2b0d5e8a7c9b3e1d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c' },
    state: { lineage: '8d7f3c2a-1b4e-4f6a-9c0d-2e5b7a9c1d3f', serial: 12 },
    refreshed: true,
    units: planned,
    steps,
    forgetSteps: [],
    warnings: [],
    ...extra,
    summary: summarizePlan(planned, steps, forgetSteps),
  }
}

const MUTABLE_SORT_KEY = {
  severity: 'warning' as const,
  code: 'mutable-sort-key',
  message: 'default.conversation_with_labels orders by columns a re-run can change (agent_user_id); stale rows are deleted first',
  file: 'plans/2026.yaml',
  position: { line: 15, col: 3 },
}

/** plans/2026.yaml on a fresh state: alaska-air, 49 days to backfill behind one delete. */
export function referencePlan(): ComputedPlan {
  const window = { start: at('2026-01-01T00:00:00Z'), end: at('2026-02-19T00:00:00Z') }
  const planned = units({ cluster: 'us-east-1-prod', customer: 'alaska-air', start: window.start, stepMs: DAY, count: 49, action: 'create', live: { rows: 2_520, keys: 2_410, expected: 2_410 } })
  const steps = [step('check', 'us-east-1-prod/check', 'us-east-1-prod', { inputs: { table: 'default.conversation_with_labels' } }), ...customerSteps('us-east-1-prod', 'alaska-air', planned, 123_456, window)]
  return plan('relabel-2026', planned, steps, { state: { lineage: null, serial: 0 }, warnings: [MUTABLE_SORT_KEY] })
}

const ENV_DIFF = [
  '--- us-east-1-prod/globex/2026-01-06/job (applied)',
  '+++ us-east-1-prod/globex/2026-01-06/job (plan)',
  '@@ -3,3 +3,3 @@',
  ' env.FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: "globex"',
  '-env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE: "12h"',
  '+env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE: "24h"',
  ' env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END: "2026-01-07T00:00:00Z"',
].join('\n')

/** Re-runs for several reasons, an inputs diff, a forget, unchanged units, two clusters and an awkward customer id. */
export function mixedPlan(): ComputedPlan {
  const jan = (d: number): number => at(`2026-01-${String(d).padStart(2, '0')}T00:00:00Z`)
  const east = 'us-east-1-prod'
  const west = 'eu-west-1-prod'
  const day = { stepMs: DAY }
  const live = { rows: 1_000, keys: 1_000, expected: 1_000 }
  const sqlChanged = ['job.sql changed']
  const deleted = { deletedFirst: true }
  const acme = [
    ...units({ cluster: east, customer: 'acme', start: jan(1), ...day, count: 2, action: 'replace', reasons: sqlChanged, live, ...deleted }),
    ...units({ cluster: east, customer: 'acme', start: jan(3), ...day, count: 1, action: 'replace', reasons: ['drift: 90 duplicate keys'], live: { rows: 1_090, keys: 1_000, expected: 1_000 }, ...deleted }),
    ...units({ cluster: east, customer: 'acme', start: jan(4), ...day, count: 2, action: 'replace', reasons: sqlChanged, live, ...deleted }),
  ]
  const globex = [
    ...units({ cluster: east, customer: 'globex', start: jan(1), ...day, count: 3, action: 'create', live: { rows: 0, keys: 0, expected: 800 } }),
    ...units({ cluster: east, customer: 'globex', start: jan(4), ...day, count: 1, action: 'no-op', live }),
    ...units({ cluster: east, customer: 'globex', start: jan(5), ...day, count: 1, action: 'create', live: { rows: 0, keys: 0, expected: 800 } }),
    ...units({ cluster: east, customer: 'globex', start: jan(6), ...day, count: 2, action: 'replace', reasons: ['job.env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE changed'], live, inputsDiff: ENV_DIFF }),
  ]
  const weird = units({ cluster: east, customer: 'we"ird/co', start: jan(1), ...day, count: 1, action: 'create', live: { rows: 0, keys: 0 } })
  const initech = [
    ...units({ cluster: west, customer: 'initech', start: at('2025-12-30T00:00:00Z'), ...day, count: 2, action: 'forget', reasons: ['no longer in the plan file'] }),
    ...units({ cluster: west, customer: 'initech', start: jan(1), ...day, count: 3, action: 'no-op', live }),
  ]
  const hooli = [
    ...units({ cluster: west, customer: 'hooli', start: jan(1), ...day, count: 1, action: 'no-op', live }),
    ...units({ cluster: west, customer: 'hooli', start: jan(2), ...day, count: 1, action: 'replace', reasons: ['failed'], live: { rows: 10, keys: 10, expected: 1_000 } }),
  ]
  const window = { start: jan(1), end: jan(8) }
  const steps = [
    step('check', `${east}/check`, east),
    ...customerSteps(east, 'acme', acme, 5_090, { start: jan(1), end: jan(6) }),
    ...customerSteps(east, 'globex', globex, 0, window).filter((s) => s.kind === 'job' || s.kind === 'verify').map((s) => ({ ...s, dependsOn: s.kind === 'job' ? [`${east}/check`] : s.dependsOn })),
    ...customerSteps(east, 'we"ird/co', weird, 0, window).filter((s) => s.kind === 'job' || s.kind === 'verify').map((s) => ({ ...s, dependsOn: s.kind === 'job' ? [`${east}/check`] : s.dependsOn })),
    step('check', `${west}/check`, west),
    ...customerSteps(west, 'hooli', hooli, 10, { start: jan(2), end: jan(3) }),
  ]
  const warnings = [MUTABLE_SORT_KEY, { severity: 'warning' as const, code: 'pending-mutations', message: '3 mutations are pending on default.conversation_with_labels', address: `${east}/check`, hint: 'deletes wait until fewer than 5 are pending' }]
  return plan('relabel-2026', [...acme, ...globex, ...weird, ...initech, ...hooli], steps, { warnings, forgetSteps: [
      // Steps no longer planned while their units stay: per-batch deletes after a change to per-customer ones.
      'eu-west-1-prod/hooli/2026-01-01/await-mutation',
      'eu-west-1-prod/hooli/2026-01-01/delete',
      'eu-west-1-prod/hooli/2026-01-02/await-mutation',
      'eu-west-1-prod/hooli/2026-01-02/delete',
      'eu-west-1-prod/initech/2025-12-30/job',
      'eu-west-1-prod/initech/2025-12-31/job',
    ],
  })
}

/** Everything already done: only unchanged units. */
export function noChangesPlan(): ComputedPlan {
  const planned = units({ cluster: 'us-east-1-prod', customer: 'alaska-air', start: at('2026-01-01T00:00:00Z'), stepMs: DAY, count: 49, action: 'no-op', live: { rows: 2_410, keys: 2_410, expected: 2_410 } })
  return plan('relabel-2026', planned, [])
}

/** Hourly batches of a `sql` job, planned without refresh. */
export function subDayPlan(): ComputedPlan {
  const start = at('2026-03-01T00:00:00Z')
  const planned = units({ cluster: 'local', customer: 'umbrella', start, stepMs: HOUR, count: 12, action: 'create' })
  const steps = [step('check', 'local/check', 'local'), ...customerSteps('local', 'umbrella', planned, undefined, { start, end: start + 12 * HOUR })]
  for (const s of steps) {
    if (s.kind !== 'job') continue
    s.inputs = {
      kind: 'sql',
      customer: 'umbrella',
      window: s.inputs.window ?? null,
      sql: 'INSERT INTO default.conversation_with_labels\nSELECT * FROM default.conversation_source\nWHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}',
    }
  }
  return plan('hourly-relabel', planned, steps, { refreshed: false, plan: { name: 'hourly-relabel', description: '', file: 'plans/hourly.yaml', sha256: '0'.repeat(64) } })
}
