import type { Diagnostic } from '../plan/diagnostics.js'
import type { Window } from '../plan/model.js'
import type { JsonValue, StepKind } from '../state/model.js'

/** What the plan does with a unit: `+` backfill, `-/+` re-run, `=` unchanged, `-` forget. */
export type UnitAction = 'create' | 'replace' | 'no-op' | 'forget'

/** Live figures of a unit as read by refresh. */
export interface UnitLive {
  rows: number
  keys: number
  expected?: number
}

export interface PlannedUnit {
  /** `cluster/customer/2026-01-15` */
  address: string
  cluster: string
  customer: string
  /** Absent for `forget` (the unit is no longer in the plan file). */
  batch?: Window & { label: string }
  action: UnitAction
  /** Why a unit is re-run (`drift: 90 duplicate keys`, `inputs changed: job.env.X`, `failed`, …). */
  reasons: string[]
  live?: UnitLive
  /** Unified diff of the old and new job inputs, when they changed. */
  inputsDiff?: string
}

/** One step of the graph that carries the plan out. */
export interface PlannedStep {
  /** `cluster/check`, `cluster/customer/delete`, `cluster/customer/2026-01-15/job`, … */
  address: string
  kind: StepKind
  dependsOn: string[]
  cluster: string
  customer?: string
  /** The unit this step belongs to (job, verify, and per-batch delete/await). */
  unit?: string
  window?: Window
  /**
   * Hash of `inputs`: a changed fingerprint means the step must run again. Absent when the
   * planner had no reason to compute it (a job never run); `stepFingerprint` gives it.
   */
  fingerprint?: string
  /** What the step will do, without secrets: statement and params, rendered env templates, … */
  inputs: Record<string, JsonValue>
  /** Rows a delete is expected to remove, from the live figures. */
  estimatedRows?: number
}

export interface PlanSummary {
  create: number
  replace: number
  noOp: number
  forget: number
  steps: Partial<Record<StepKind, number>>
  rowsToDelete: number
}

/** The difference between plan file, state and live figures, and the step graph that closes it. */
export interface ComputedPlan {
  formatVersion: '1'
  bfVersion: string
  plan: { name: string; description: string; file: string; sha256: string }
  state: { lineage: string | null; serial: number }
  /** False with `--refresh=false`: no live figures were read. */
  refreshed: boolean
  units: PlannedUnit[]
  steps: PlannedStep[]
  /** Addresses of state records that apply removes (steps of forgotten units, orphaned steps). */
  forgetSteps: string[]
  warnings: Diagnostic[]
  summary: PlanSummary
}
