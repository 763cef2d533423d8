import type { Diagnostic } from '../plan/diagnostics.js'
import type { Window } from '../plan/model.js'
import type { JsonValue, StepKind } from '../state/model.js'
import type { DiscoveredCustomers } from './resolve-customers.js'

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
  /** Why a unit is re-run (`drift: 90 duplicate keys`, `job.env.X changed`, `failed`, …). */
  reasons: string[]
  live?: UnitLive
  /** Unified diff of the old and new job inputs, when they changed. */
  inputsDiff?: string
  /** A delete of this plan removes its rows before its job runs (`-/+`); a re-run without one keeps them (`~`). */
  deletedFirst?: boolean
}

/**
 * The active parts of the target that hold at least one row a delete removes, found from
 * the data at plan time: a mutation rewrites each of them, a lightweight delete marks them.
 * Per replica: every replica holds and rewrites its own copy.
 */
export interface RewriteEstimate {
  parts: number
  /** Rows of those parts (all of them, not only those removed): what a mutation writes again. */
  rows: number
  /** Bytes on disk of those parts. */
  bytes: number
}

/** One step of the graph that carries the plan out. */
export interface PlannedStep {
  /** `cluster/check`, `cluster/customer/delete`, `cluster/customer/2026-01-15/job`, … */
  address: string
  kind: StepKind
  dependsOn: string[]
  cluster: string
  customer?: string
  /** The customers a delete of several (`delete.per: cluster`) covers, and its await; `customer` is then absent. */
  customers?: string[]
  /** The unit this step belongs to (job, verify, and per-batch delete/await). */
  unit?: string
  /** A unit's batch; for a delete (and its await), the span of its ranges. */
  window?: Window
  /** The ranges a delete removes, sorted and disjoint (absent: the whole `window`). */
  ranges?: Window[]
  /** Why a delete runs: the causes of the units it covers. */
  reasons?: string[]
  /**
   * Hash of `inputs`: a changed fingerprint means the step must run again. Absent when the
   * planner had no reason to compute it (a job never run); `stepFingerprint` gives it.
   */
  fingerprint?: string
  /** What the step will do, without secrets: statement and params, rendered env templates, … */
  inputs: Record<string, JsonValue>
  /** Rows a delete is expected to remove, from the live figures. */
  estimatedRows?: number
  /** The parts a delete rewrites, from the data; absent without refresh. */
  rewrite?: RewriteEstimate
}

/** Units by what the plan does with them. */
export interface UnitCounts {
  create: number
  replace: number
  noOp: number
  forget: number
}

/**
 * Recorded steps of one customer (or of the cluster itself) that the plan no longer has,
 * while their unit or customer stays planned: a per-batch delete after `delete: false`, a
 * per-customer delete after `per: batch`, the check of a cluster left without customers.
 */
export interface UnplannedSteps {
  /** Absent for a cluster-level step. */
  customer?: string
  /** Step records by the kind their address names, in running order. */
  kinds: { kind: string; count: number }[]
  first: string
  last: string
}

/** One cluster's part of the plan's summary. */
export interface ClusterSummary extends UnitCounts {
  cluster: string
  /** State records apply removes on this cluster: the steps of forgotten units and the unplanned ones. */
  forgetSteps: number
  /** Steps no longer planned, of units and customers that stay (part of `forgetSteps`). */
  unplannedSteps: number
  unplanned: UnplannedSteps[]
}

/**
 * What the plan does, counted once by the engine. Every view, `--detailed-exitcode`, the
 * saved plan and `apply` read it; none counts again.
 */
export interface PlanSummary extends UnitCounts {
  steps: Partial<Record<StepKind, number>>
  rowsToDelete: number
  /** The deletes' rewrite estimates added up (a part two deletes rewrite counts twice); absent when no delete has one. */
  rewrite?: RewriteEstimate
  /** State records apply removes (`forgetSteps.length`). */
  forgetSteps: number
  /** Whether apply would run a step or change the state. */
  hasChanges: boolean
  /** Per cluster, in the order the plan lists its units, then clusters with only steps to forget. */
  clusters: ClusterSummary[]
}

/** A cluster's job template as planned (a CronJob's jobTemplate): apply makes every job of the cluster from it. */
export interface PlannedJobTemplate {
  cluster: string
  /** `CronJob cresta-cron/cron-label-conversations` */
  source: string
  fingerprint: string
  content: JsonValue
  /** The fingerprint of the template the state's last apply on this cluster used, when recorded. */
  applied?: string
  /** What changed since that apply, a `path: before → after` line each; absent when unchanged or unknown. */
  changes?: string[]
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
  /** Per cluster, for jobs made from a template the cluster holds (Kubernetes); absent for other jobs. */
  jobTemplates?: PlannedJobTemplate[]
  /** Per cluster that discovers its customers: how many were planned, which are new or gone since the state. */
  customers?: DiscoveredCustomers[]
}
