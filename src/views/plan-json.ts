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

/** `planToJson` as the text `bf plan --json` prints: indented, ending in a newline. */
export function renderPlanJson(plan: ComputedPlan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`
}
