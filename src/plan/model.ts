/**
 * The resolved plan: what a plan file means once it has been parsed, validated and
 * defaulted. Everything after loading works from this model and never from raw YAML.
 *
 * Times are epoch milliseconds (UTC). Windows are half-open: `start` inclusive, `end`
 * exclusive. String values may still hold `${env:NAME}` references; they are resolved
 * only where a value is used (see `env-refs.ts`), so the model itself holds no secret.
 */

import type { ScheduleWindow } from './schedule-window.js'

export type { ScheduleWindow } from './schedule-window.js'

export type Millis = number

/** A half-open time range `[start, end)`. */
export interface Window {
  start: Millis
  end: Millis
}

/** Where a plan came from; `sha256` covers the file's bytes. */
export interface PlanSource {
  /** The path as the user gave it (used in messages). */
  file: string
  /** Absolute folder of the plan file; relative paths in the plan resolve against it. */
  dir: string
  sha256: string
}

export interface BatchGrid {
  /** The plan's `window.start`: every batch boundary is `origin + k * stepMs`. */
  origin: Millis
  stepMs: number
  /** The duration as written (`1d`). */
  text: string
}

export interface TableRef {
  database: string
  table: string
}

export interface TargetSpec {
  database: string
  /** Local table: deletes run here. */
  table: string
  /** Counts and checks read this table (defaults to `table`). */
  readTable: string
  timeColumn: string
  customerColumn: string
  keyColumns: string[]
}

export interface ExpectedSpec {
  database: string
  table: string
  timeColumn: string
  customerColumn: string
  keyColumns: string[]
}

export type SettingValue = string | number | boolean

export interface DeleteSpec {
  mode: 'mutation' | 'lightweight'
  /** `cluster`: one delete for the customers of a cluster sharing the same ranges (`maxCustomers` at most in one statement). */
  per: 'customer' | 'cluster' | 'batch'
  /** With `per: cluster`, the most customers one delete statement names. */
  maxCustomers: number
  settings: Record<string, SettingValue>
  timeoutMs: number
}

export interface KubernetesJobSpec {
  cronJob: string
  namespace: string
  container?: string
  ownerReference: boolean
  ttlSecondsAfterFinished?: number
  /** What a change of the CronJob's job template since the last apply does to finished units. */
  onTemplateChange: 'keep' | 'rerun'
}

export interface JobSpec {
  kind: 'kubernetes' | 'sql' | 'command'
  kubernetes?: KubernetesJobSpec
  sql?: string
  command?: string[]
  /** Env templates, `{{ … }}` placeholders unrendered. */
  env: Record<string, string>
  timeoutMs?: number
  retries: number
  concurrency: number
}

export type Expectation =
  | { equals: string | number | boolean }
  | { max: number }
  | { min: number }
  | { between: [number, number] }

export interface CheckSpec {
  name: string
  /** Customers the check applies to; undefined means every customer. */
  customers?: string[]
  sql: string
  expect: Expectation
}

export interface VerifySpec {
  duplicates: boolean
  /** A unit with nothing expected and nothing written fails instead of passing as "no data". */
  requireData: boolean
  ratio?: { min?: number; max?: number }
  checks: CheckSpec[]
}

export interface RolloutSpec {
  canary: string[]
  order: 'forward' | 'backward'
}

export interface GuardsSpec {
  maxPendingMutations?: number
  maxDeleteRows?: number
  /** Bytes of the active parts one delete may rewrite (from `guards.maxRewriteBytes`, a size such as `50GB`). */
  maxRewriteBytes?: number
}

export interface ClickHouseSpec {
  /** `http(s)://…` server; exactly one of `url` and `embedded` is set. */
  url?: string
  /** Absolute path of the embedded engine's data folder. */
  embedded?: string
  /** `ON CLUSTER` name. */
  cluster?: string
  database?: string
  username?: string
  /** Usually `${env:NAME}`; resolve with `resolveEnvRefs` only when connecting. */
  password?: string
  settings: Record<string, SettingValue>
}

export interface KubernetesClusterSpec {
  context: string
  kubeconfig?: string
  /** Client-side rate limit of bf's API requests to this cluster: requests a second, and how many may go at once. */
  qps?: number
  burst?: number
}

export interface CustomerSpec {
  id: string
  /** Effective range: the customer's own, else the cluster's, else the plan's. */
  window: Window
}

/** Where discovery finds a cluster's customers: counted in a table of the plan, or the user's query. */
export type DiscoverySource = { from: 'target' | 'expected'; minRows: number } | { query: string }

/**
 * A cluster whose customers are found in the data at refresh rather than listed: every
 * customer the source names over the cluster's window, but the excluded ones.
 */
export interface CustomerDiscovery {
  source: DiscoverySource
  exclude: string[]
  /** The cluster's window: what discovery counts over, and every found customer's range unless `windows` gives one. */
  window: Window
  /** Found customers with a range of their own (effective: customer, then cluster, then plan). */
  windows: CustomerSpec[]
}

export interface ClusterSpec {
  name: string
  clickhouse: ClickHouseSpec
  kubernetes?: KubernetesClusterSpec
  /**
   * The customers to backfill. For a cluster with `discover`, empty as loaded: planning
   * resolves them into a copy of the plan (`resolve-customers.ts` in the engine).
   */
  customers: CustomerSpec[]
  discover?: CustomerDiscovery
}

/** When apply may start deletes and jobs; see `schedule-window.ts` for one window. */
export interface ScheduleSpec {
  /** IANA time zone the windows are read in. */
  timezone: string
  windows: ScheduleWindow[]
}

/** A query returning one number: the cluster is busy while it is above `max`. */
export interface ThrottleCheckSpec {
  name: string
  sql: string
  max: number
}

/** Load limits per cluster, checked before each delete or job starts; an absent limit is not checked. */
export interface ThrottleSpec {
  /** How often the checks run again while a cluster is throttled. */
  intervalMs: number
  replicationDelayMs?: number
  replicationQueue?: number
  partsPerPartition?: number
  mergesBusy?: number
  checks: ThrottleCheckSpec[]
}

/** Where a Kubernetes Lease that guards a state lives. */
export interface KubernetesLeaseSpec {
  context: string
  namespace: string
  kubeconfig?: string
}

/**
 * Where the state and its lock live: files in a folder (one person, one machine), or a
 * table in one of the plan's ClickHouse clusters, guarded by a lease.
 */
export type StateBackendSpec =
  | { backend: 'file' }
  | {
      backend: 'clickhouse'
      /** A cluster name of this plan: the state lives in its ClickHouse. */
      cluster: string
      database: string
      table: string
      lock: 'keeper-map' | { kubernetes: KubernetesLeaseSpec }
      leaseMs: number
    }

/** A fully resolved plan file. */
export interface PlanSpec {
  version: 1
  name: string
  description: string
  source: PlanSource
  window: Window
  batch: BatchGrid
  target: TargetSpec
  expected?: ExpectedSpec
  /** `false` when the plan disables deletes (append-only backfill). */
  delete: DeleteSpec | false
  job: JobSpec
  verify: VerifySpec
  rollout: RolloutSpec
  guards: GuardsSpec
  schedule?: ScheduleSpec
  throttle?: ThrottleSpec
  /** Absolute path of the state folder (the file backend's state; job logs with any backend). */
  statePath: string
  state: StateBackendSpec
  clusters: ClusterSpec[]
  /** Names of every `${env:NAME}` the plan refers to, sorted, without duplicates. */
  envRefs: string[]
}

/** One batch of one customer's range, cut on the plan's grid. */
export interface Batch extends Window {
  /** `YYYY-MM-DD` for day-aligned grids, `YYYY-MM-DDTHH` otherwise. */
  label: string
}

/** The smallest piece of backfill: one cluster × one customer × one batch. */
export interface Unit {
  address: string
  cluster: string
  customer: string
  batch: Batch
}
