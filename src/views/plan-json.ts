import type { ComputedPlan, PlannedStep, PlannedUnit, UnitAction } from '../engine/plan-model.js'
import type { StepKind } from '../state/model.js'

/** Order of step kinds wherever they are listed: the order they run in for a unit. */
export const STEP_KINDS: readonly StepKind[] = ['check', 'delete', 'await-mutation', 'job', 'verify']

export interface PlanJsonUnit {
  address: string
  action: UnitAction
  reasons: string[]
  /** Null when the plan was made without refresh, or for a unit being forgotten. */
  live: { rows: number; keys: number; expected: number | null } | null
  diff?: string
}

export interface PlanJsonStep {
  address: string
  kind: StepKind
  depends_on: string[]
  estimated_rows?: number
}

/** `bf plan --json`, format_version "1"; `schemas/plan-output.schema.json` is its contract. */
export interface PlanJson {
  format_version: '1'
  plan: { name: string; file: string; sha256: string }
  state: { lineage: string | null; serial: number }
  summary: {
    create: number
    replace: number
    no_op: number
    forget: number
    steps: Partial<Record<StepKind, number>>
    rows_to_delete: number
  }
  units: PlanJsonUnit[]
  steps: PlanJsonStep[]
  warnings: { code: string; message: string }[]
}

function unitToJson(unit: PlannedUnit): PlanJsonUnit {
  const json: PlanJsonUnit = {
    address: unit.address,
    action: unit.action,
    reasons: [...unit.reasons],
    live: unit.live ? { rows: unit.live.rows, keys: unit.live.keys, expected: unit.live.expected ?? null } : null,
  }
  if (unit.inputsDiff !== undefined) json.diff = unit.inputsDiff
  return json
}

function stepToJson(step: PlannedStep): PlanJsonStep {
  const json: PlanJsonStep = { address: step.address, kind: step.kind, depends_on: [...step.dependsOn] }
  if (step.estimatedRows !== undefined) json.estimated_rows = step.estimatedRows
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
    },
    units: plan.units.map(unitToJson),
    steps: plan.steps.map(stepToJson),
    warnings: plan.warnings.map((warning) => ({ code: warning.code, message: warning.message })),
  }
}

/*
 * A plan of a million units is written item by item, each as `JSON.stringify(…, null, 2)`
 * writes it inside the whole document; units and steps are formatted by hand, the same
 * way, which is several times faster than stringifying and re-indenting them.
 */

const quote = (text: string): string => JSON.stringify(text)
const numberText = (value: number): string => (Number.isFinite(value) ? String(value) : 'null')

function stringsText(items: readonly string[], indent: string): string {
  if (items.length === 0) return '[]'
  let text = '['
  for (let i = 0; i < items.length; i++) text += `${i === 0 ? '' : ','}\n${indent}  ${quote(items[i] as string)}`
  return `${text}\n${indent}]`
}

/** `unitToJson(unit)` as JSON text, its members at `indent` + 2. */
function unitText(unit: PlannedUnit, indent: string): string {
  const inner = `${indent}  `
  let text = `{\n${inner}"address": ${quote(unit.address)},\n${inner}"action": ${quote(unit.action)},\n${inner}"reasons": ${stringsText(unit.reasons, inner)},\n${inner}"live": `
  if (unit.live) {
    const live = `${inner}  `
    const expected = unit.live.expected === undefined ? 'null' : numberText(unit.live.expected)
    text += `{\n${live}"rows": ${numberText(unit.live.rows)},\n${live}"keys": ${numberText(unit.live.keys)},\n${live}"expected": ${expected}\n${inner}}`
  } else {
    text += 'null'
  }
  if (unit.inputsDiff !== undefined) text += `,\n${inner}"diff": ${quote(unit.inputsDiff)}`
  return `${text}\n${indent}}`
}

/** `stepToJson(step)` as JSON text, its members at `indent` + 2. */
function stepText(step: PlannedStep, indent: string): string {
  const inner = `${indent}  `
  let text = `{\n${inner}"address": ${quote(step.address)},\n${inner}"kind": ${quote(step.kind)},\n${inner}"depends_on": ${stringsText(step.dependsOn, inner)}`
  if (step.estimatedRows !== undefined) text += `,\n${inner}"estimated_rows": ${numberText(step.estimatedRows)}`
  return `${text}\n${indent}}`
}

/** Any value as `JSON.stringify(value, null, 2)` writes it at `indent`. */
function valueText(value: unknown, indent: string): string {
  // JSON text holds no raw line breaks inside strings: every one is indentation.
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`)
}

/** A JSON array at `indent` whose items are written one at a time by `itemText`. */
function* arrayChunks<T>(items: readonly T[], itemText: (item: T, indent: string) => string, indent: string): Generator<string> {
  if (items.length === 0) {
    yield '[]'
    return
  }
  const inner = `${indent}  `
  for (let i = 0; i < items.length; i++) yield `${i === 0 ? '[' : ','}\n${inner}${itemText(items[i] as T, inner)}`
  yield `\n${indent}]`
}

/**
 * `renderPlanJson` in pieces, so that a plan of a million units is written without ever
 * being one string (or one copy of itself as JSON objects) in memory.
 */
export function* planJsonChunks(plan: ComputedPlan): Generator<string> {
  const { units: _units, steps: _steps, warnings: _warnings, ...head } = planToJson({ ...plan, units: [], steps: [], warnings: [] })
  const headText = JSON.stringify(head, null, 2)
  yield headText.slice(0, headText.lastIndexOf('\n}'))
  yield ',\n  "units": '
  yield* arrayChunks(plan.units, unitText, '  ')
  yield ',\n  "steps": '
  yield* arrayChunks(plan.steps, stepText, '  ')
  yield ',\n  "warnings": '
  yield* arrayChunks(plan.warnings, (warning, indent) => valueText({ code: warning.code, message: warning.message }, indent), '  ')
  yield '\n}\n'
}

/** `planToJson` as the text `bf plan --json` prints: indented, ending in a newline. */
export function renderPlanJson(plan: ComputedPlan): string {
  return [...planJsonChunks(plan)].join('')
}
