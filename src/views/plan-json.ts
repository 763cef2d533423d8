import type { PlanOperations } from '../engine/gates/plan-operations.js'
import { holderJson } from './lock-holder.js'
import type { ComputedPlan, PlannedStep, PlannedUnit, RewriteEstimate, UnitAction } from '../engine/plan-model.js'
import type { Window } from '../plan/model.js'
import { formatTimestamp } from '../plan/timestamp.js'
import { STEP_KINDS } from '../state/model.js'
import type { StepKind } from '../state/model.js'


export interface PlanJsonUnit {
  address: string
  action: UnitAction
  reasons: string[]
  /** Null when the plan was made without refresh, or for a unit being forgotten. */
  live: { rows: number; keys: number; expected: number | null } | null
  diff?: string
  deleted_first?: true
}

export interface PlanJsonStep {
  address: string
  kind: StepKind
  depends_on: string[]
  estimated_rows?: number
  ranges?: { start: string; end: string }[]
  reasons?: string[]
  /** The customers a delete covers. */
  customers?: string[]
  /** The parts a delete rewrites, per replica. */
  rewrite?: RewriteEstimate
}

/** `bf plan --json`, format_version "1"; `schemas/plan-output.schema.json` is its contract. */
export interface PlanJson {
  format_version: '1'
  plan: { name: string; file: string; sha256: string }
  /** `lock`: who holds the state's lock, when someone does (`lock-holder.ts`). */
  state: { lineage: string | null; serial: number; lock?: object }
  summary: {
    create: number
    replace: number
    no_op: number
    forget: number
    steps: Partial<Record<StepKind, number>>
    rows_to_delete: number
    /** State records apply removes. */
    forget_steps: number
    rewrite?: RewriteEstimate
  }
  units: PlanJsonUnit[]
  steps: PlanJsonStep[]
  /** Addresses of the state records apply removes: steps of forgotten units and steps no longer planned. */
  forget_steps: string[]
  warnings: { code: string; message: string }[]
  /** Per cluster, for jobs made from a template the cluster holds (a Kubernetes CronJob's jobTemplate). */
  job_templates?: PlanJsonJobTemplate[]
  /** Per cluster that discovers its customers. */
  customers?: PlanJsonCustomers[]
}

export interface PlanJsonCustomers {
  cluster: string
  /** Customers planned on the cluster. */
  found: number
  /** Found, with no step in the state. */
  new: string[]
  /** With steps in the state, no longer found: forgotten. */
  gone: string[]
  /** `data`: discovered at refresh; `state`: with --refresh=false, the customers with steps in the state. */
  source: 'data' | 'state'
}

export interface PlanJsonJobTemplate {
  cluster: string
  source: string
  fingerprint: string
  /** The fingerprint the state's last apply used; null when none is recorded. */
  applied: string | null
  changed: boolean
  /** What changed since that apply, when known: `path: before → after`. */
  changes: string[]
}

function unitToJson(unit: PlannedUnit): PlanJsonUnit {
  const json: PlanJsonUnit = {
    address: unit.address,
    action: unit.action,
    reasons: [...unit.reasons],
    live: unit.live ? { rows: unit.live.rows, keys: unit.live.keys, expected: unit.live.expected ?? null } : null,
  }
  if (unit.inputsDiff !== undefined) json.diff = unit.inputsDiff
  if (unit.deletedFirst) json.deleted_first = true
  return json
}

const rangesToJson = (ranges: readonly Window[]): { start: string; end: string }[] =>
  ranges.map((range) => ({ start: formatTimestamp(range.start), end: formatTimestamp(range.end) }))

function stepToJson(step: PlannedStep): PlanJsonStep {
  const json: PlanJsonStep = { address: step.address, kind: step.kind, depends_on: [...step.dependsOn] }
  if (step.estimatedRows !== undefined) json.estimated_rows = step.estimatedRows
  if (step.ranges !== undefined) json.ranges = rangesToJson(step.ranges)
  if (step.reasons !== undefined) json.reasons = [...step.reasons]
  if (step.kind === 'delete') {
    const customers = step.customers ?? (step.customer === undefined ? undefined : [step.customer])
    if (customers) json.customers = [...customers]
    if (step.rewrite) json.rewrite = { ...step.rewrite }
  }
  return json
}

/**
 * The machine form of a plan. Keys always come in the documented order and step kinds
 * in running order, so the same plan gives byte-identical output.
 */
export function planToJson(plan: ComputedPlan): PlanJson {
  const steps: Partial<Record<StepKind, number>> = {}
  for (const kind of STEP_KINDS) {
    const count = plan.summary.steps[kind]
    if (count !== undefined) steps[kind] = count
  }
  return {
    format_version: '1',
    plan: { name: plan.plan.name, file: plan.plan.file, sha256: plan.plan.sha256 },
    state: { lineage: plan.state.lineage, serial: plan.state.serial },
    summary: {
      create: plan.summary.create,
      replace: plan.summary.replace,
      no_op: plan.summary.noOp,
      forget: plan.summary.forget,
      steps,
      rows_to_delete: plan.summary.rowsToDelete,
      forget_steps: plan.summary.forgetSteps,
      ...(plan.summary.rewrite ? { rewrite: { ...plan.summary.rewrite } } : {}),
    },
    units: plan.units.map(unitToJson),
    steps: plan.steps.map(stepToJson),
    forget_steps: [...plan.forgetSteps],
    warnings: plan.warnings.map((warning) => ({ code: warning.code, message: warning.message })),
    ...(plan.jobTemplates
      ? {
          job_templates: plan.jobTemplates.map((template) => ({
            cluster: template.cluster,
            source: template.source,
            fingerprint: template.fingerprint,
            applied: template.applied ?? null,
            changed: template.applied !== undefined && template.applied !== template.fingerprint,
            changes: [...(template.changes ?? [])],
          })),
        }
      : {}),
    ...(plan.customers
      ? { customers: plan.customers.map((entry) => ({ cluster: entry.cluster, found: entry.found, new: [...entry.new], gone: [...entry.gone], source: entry.source })) }
      : {}),
  }
}

/*
 * A plan of a million units is written item by item: the head indented as
 * `JSON.stringify(…, null, 2)` writes it, then each unit, step and warning on a line of its
 * own, compact, so the output stays small and greps and diffs a unit per line. Units and
 * steps are formatted by hand, several times faster than building and stringifying them.
 */

/** Characters `JSON.stringify` may write otherwise than as themselves (surrogates: a lone one is escaped). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/

/** `JSON.stringify(text)`, without its cost for the plain addresses that make most of a plan. */
const quote = (text: string): string => (NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`)
const numberText = (value: number): string => (Number.isFinite(value) ? String(value) : 'null')

function stringsText(items: readonly string[]): string {
  if (items.length === 0) return '[]'
  if (items.length === 1) return `[${quote(items[0] as string)}]`
  return `[${items.map(quote).join(',')}]`
}

/** `unitToJson(unit)` as compact JSON text. */
function unitText(unit: PlannedUnit): string {
  let text = `{"address":${quote(unit.address)},"action":"${unit.action}","reasons":${stringsText(unit.reasons)},"live":`
  if (unit.live) {
    const expected = unit.live.expected === undefined ? 'null' : numberText(unit.live.expected)
    text += `{"rows":${numberText(unit.live.rows)},"keys":${numberText(unit.live.keys)},"expected":${expected}}`
  } else {
    text += 'null'
  }
  if (unit.inputsDiff !== undefined) text += `,"diff":${quote(unit.inputsDiff)}`
  if (unit.deletedFirst) text += ',"deleted_first":true'
  return `${text}}`
}

/** `stepToJson(step)` as compact JSON text; the rare delete is left to `JSON.stringify`. */
function stepText(step: PlannedStep): string {
  if (step.kind === 'delete' || step.ranges !== undefined || step.reasons !== undefined) return JSON.stringify(stepToJson(step))
  const text = `{"address":${quote(step.address)},"kind":"${step.kind}","depends_on":${stringsText(step.dependsOn)}`
  return step.estimatedRows === undefined ? `${text}}` : `${text},"estimated_rows":${numberText(step.estimatedRows)}}`
}

/** Items per chunk: few enough to keep a chunk small, many enough to make few writes. */
const ITEMS_PER_CHUNK = 256

/** A JSON array at `indent` with one item per line, in chunks of `ITEMS_PER_CHUNK` items. */
function* arrayChunks<T>(items: readonly T[], itemText: (item: T) => string, indent: string): Generator<string> {
  if (items.length === 0) {
    yield '[]'
    return
  }
  const inner = `\n${indent}  `
  let chunk = ''
  for (let i = 0; i < items.length; i++) {
    chunk += `${i === 0 ? '[' : ','}${inner}${itemText(items[i] as T)}`
    if ((i + 1) % ITEMS_PER_CHUNK === 0) {
      yield chunk
      chunk = ''
    }
  }
  yield `${chunk}\n${indent}]`
}

/**
 * `renderPlanJson` in pieces, so that a plan of a million units is written without ever
 * being one string (or one copy of itself as JSON objects) in memory.
 */
export function* planJsonChunks(plan: ComputedPlan, operations?: PlanOperations): Generator<string> {
  const { units: _units, steps: _steps, forget_steps: _forget, warnings: _warnings, job_templates: templates, customers, ...head } = planToJson({ ...plan, units: [], steps: [], forgetSteps: [], warnings: [] })
  // Who holds the state's lock belongs with the state.
  const state = operations?.lock ? { ...head.state, lock: holderJson(operations.lock) } : head.state
  const headText = JSON.stringify({ ...head, state }, null, 2)
  yield headText.slice(0, headText.lastIndexOf('\n}'))
  yield ',\n  "units": '
  yield* arrayChunks(plan.units, unitText, '  ')
  yield ',\n  "steps": '
  yield* arrayChunks(plan.steps, stepText, '  ')
  yield ',\n  "forget_steps": '
  yield* arrayChunks(plan.forgetSteps, quote, '  ')
  yield ',\n  "warnings": '
  yield* arrayChunks(plan.warnings, (warning) => JSON.stringify({ code: warning.code, message: warning.message }), '  ')
  if (templates) {
    yield ',\n  "job_templates": '
    yield* arrayChunks(templates, (template) => JSON.stringify(template), '  ')
  }
  if (customers) {
    yield ',\n  "customers": '
    yield* arrayChunks(customers, (entry) => JSON.stringify(entry), '  ')
  }
  for (const [key, value] of Object.entries(operationsToJson(operations))) yield `,\n  ${quote(key)}: ${JSON.stringify(value, null, 2).replaceAll('\n', '\n  ')}`
  yield '\n}\n'
}

/**
 * What would hold the apply's steps now: `pause` (who, why, since), `schedule`
 * (`open`, `next_open`, and the window), `throttle` (per cluster, each check's value and limit).
 */
export function operationsToJson(operations: PlanOperations | undefined): Record<string, unknown> {
  if (!operations) return {}
  const json: Record<string, unknown> = {}
  const { pause, schedule, throttle } = operations
  if (pause) json.pause = { by: `${pause.who}@${pause.host} (pid ${pause.pid})`, reason: pause.reason, since: pause.since }
  if (schedule) {
    json.schedule = {
      open: schedule.open,
      next_open: formatTimestamp(schedule.nextOpen),
      ...(schedule.closesAt === undefined ? {} : { closes_at: formatTimestamp(schedule.closesAt) }),
      window: schedule.window,
      timezone: schedule.timezone,
    }
  }
  if (throttle) {
    json.throttle = throttle.map(({ cluster, checks }) => ({
      cluster,
      checks: checks.map((check) => ({
        name: check.check,
        value: check.value ?? null,
        limit: check.limit,
        over: check.value !== undefined && check.value > check.limit,
        ...(check.error === undefined ? {} : { error: check.error }),
      })),
    }))
  }
  return json
}

/** `planToJson` as the text `bf plan --json` prints: indented, ending in a newline. */
export function renderPlanJson(plan: ComputedPlan): string {
  return [...planJsonChunks(plan)].join('')
}
