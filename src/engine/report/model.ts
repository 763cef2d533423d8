import type { Millis, Window } from '../../plan/model.js'
import type { LockInfo } from '../../state/store.js'

/**
 * How a unit stands, as the report shows it: `verified` (done and its figures hold),
 * `failed` (its job or verify failed last), `running` (started under a held lock),
 * `todo` (apply would still run it), `drifted` (verified once, live figures wrong since).
 * A batch outside a customer's window has no unit: views show it as not in the window.
 */
export type UnitStatus = 'verified' | 'failed' | 'running' | 'todo' | 'drifted'

/** Every status, from the one that needs a person most: where statuses are listed or a worst one picked. */
export const UNIT_STATUSES: readonly UnitStatus[] = ['failed', 'drifted', 'running', 'todo', 'verified']

/** Figures of a unit: live when the report refreshed, else as its last verify recorded them. */
export interface ReportFigures {
  source: 'live' | 'verify'
  rows: number
  keys: number
  expected?: number
  /** Distinct keys over expected keys. */
  ratio?: number
}

export interface ReportUnit {
  address: string
  /** The batch's label (`2026-01-15`), which names its column. */
  label: string
  status: UnitStatus
  /** Why a unit to do or drifted is not verified: the plan's reasons (`drift: 90 duplicate keys`, `job.env.X changed`, …). */
  reasons: string[]
  figures?: ReportFigures
  /** Attempts of its job so far (0: never run). */
  attempts: number
  /** From its job's start to its verify's end (or its job's end). */
  durationMs?: number
  /** What ran its job: a Kubernetes Job name, an INSERT's query id, a process's log. */
  job?: { kind: 'job name' | 'query id' | 'log'; name: string }
  /** The error of its failed job or verify, or the failing check. */
  error?: string
}

export interface ReportCustomer {
  id: string
  window: Window
  /** In time order. */
  units: ReportUnit[]
}

/** One replica's answer for a delete's mutation, as last recorded. */
export interface ReportMutationHost {
  host: string
  mutationId: string
  isDone: boolean
  partsToDo: number
  /** The most parts the polls saw it still had to rewrite: about what the mutation rewrote there. */
  mostPartsToDo?: number
  /** When a poll first saw it done. */
  doneAt?: string
  failReason?: string
}

/** The delete of one customer window (or one batch, with `delete.per: batch`). */
export interface ReportDelete {
  address: string
  /** The time ranges it deleted (one for a whole window). */
  ranges: Window[]
  /** Rows it was planned to delete, from the live figures when it was planned. */
  estimatedRows?: number
  status: 'done' | 'submitted' | 'failed' | 'running'
  hosts: ReportMutationHost[]
  /** When every replica was seen done (the wait's end). */
  doneAt?: string
  waitedMs?: number
  error?: string
}

/** A customer's deletes: one with `per: customer`, one per batch with `per: batch`. */
export interface ReportCustomerDeletes {
  customer: string
  deletes: ReportDelete[]
}

export interface ReportCluster {
  name: string
  /** Every batch of the grid the cluster's customer windows cover, in time order. */
  batches: { label: string; start: Millis }[]
  customers: ReportCustomer[]
  deletes: ReportCustomerDeletes[]
  totals: Record<UnitStatus, number>
}

/** Everything `bf report` shows, built once by the engine; views only render it. */
export interface ReportModel {
  plan: { name: string; description: string; file: string }
  state: { lineage: string | null; serial: number }
  /** Who holds the state's lock now: an apply in progress. */
  lock?: LockInfo
  /** The last step transition recorded. */
  lastRecorded?: string
  /** The latest step transitions, newest first (a few). */
  recent: { address: string; status: 'started' | 'succeeded' | 'failed'; at: string; error?: string }[]
  madeAt: string
  /** False with `--refresh=false`: no live figures were read. */
  refreshed: boolean
  /** The plan's batch: as written (`1d`) and its length. */
  batch: { text: string; stepMs: number }
  /** Whether deletes run before jobs: false when the plan disables them. */
  deletes: boolean
  totals: Record<UnitStatus, number>
  /** From the first step's start to the last transition (or now, while an apply holds the lock). */
  elapsedMs?: number
  /** What is left, at the pace units took so far and the plan's concurrency. */
  etaMs?: number
  clusters: ReportCluster[]
}

export function emptyTotals(): Record<UnitStatus, number> {
  return { failed: 0, drifted: 0, running: 0, todo: 0, verified: 0 }
}
