import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { DEFAULTS } from './defaults.js'
import { parseDuration } from './duration.js'
import { envRefsIn } from './env-refs.js'
import type { ClusterSpec, CustomerDiscovery, CustomerSpec, DeleteSpec, DiscoverySource, GuardsSpec, JobSpec, PlanSource, PlanSpec, ScheduleSpec, StateBackendSpec, ThrottleSpec, VerifySpec, Window } from './model.js'
import { parseScheduleWindow } from './schedule-window.js'
import type { RawCluster, RawDiscovery, RawPlan, RawWindow, Scalar } from './raw.js'
import { stringsIn } from './checks/access.js'
import { parseTimestamp } from './timestamp.js'
import { parseSize } from './size.js'

/** How `resolvePlan` learns what only the source knows. */
export interface ResolveContext {
  source: PlanSource
  /** Cluster names in the order the file lists them (an object may reorder number-like keys). */
  clusterOrder: string[]
  /** The source text of a plain scalar (`1.10`), so env values keep what the user wrote. */
  plainText: (path: (string | number)[]) => string | undefined
}

/** A checked plan's data → the resolved model: defaults filled in, times in milliseconds, paths absolute. */
export function resolvePlan(raw: RawPlan, context: ResolveContext): PlanSpec {
  const { dir } = context.source
  const planWindow = { start: time(raw.window.start), end: time(raw.window.end) }
  const target = { database: DEFAULTS.database, readTable: raw.target.table, ...raw.target }
  return {
    version: 1,
    name: raw.name,
    description: raw.description ?? '',
    source: context.source,
    window: planWindow,
    batch: { origin: planWindow.start, stepMs: duration(raw.window.batch), text: raw.window.batch },
    target,
    ...(raw.expected ? { expected: { ...raw.expected, database: raw.expected.database ?? target.database } } : {}),
    delete: resolveDelete(raw.delete),
    job: resolveJob(raw, context),
    verify: resolveVerify(raw),
    rollout: { canary: raw.rollout?.canary ?? [], order: raw.rollout?.order ?? DEFAULTS.rolloutOrder },
    guards: resolveGuards(raw.guards),
    ...(raw.schedule ? { schedule: resolveSchedule(raw.schedule) } : {}),
    ...(raw.throttle ? { throttle: resolveThrottle(raw.throttle) } : {}),
    statePath: expandPath(raw.state?.path ?? DEFAULTS.statePath(raw.name), dir),
    state: resolveState(raw, context, dir),
    clusters: context.clusterOrder.map((name) => resolveCluster(name, raw.clusters[name]!, planWindow, dir)),
    envRefs: [...new Set([...stringsIn(raw, (value) => value.includes('${env:'))].flatMap(([, value]) => envRefsIn(value)))].sort(),
  }
}

function resolveState(raw: RawPlan, context: ResolveContext, dir: string): StateBackendSpec {
  const state = raw.state ?? {}
  if ((state.backend ?? DEFAULTS.stateBackend) === 'file') return { backend: 'file' }
  const lock = state.lock ?? DEFAULTS.stateLock
  return {
    backend: 'clickhouse',
    cluster: state.cluster ?? context.clusterOrder[0]!,
    database: state.database ?? DEFAULTS.stateDatabase,
    table: state.table ?? DEFAULTS.stateTable,
    lock:
      lock === 'keeper-map'
        ? lock
        : {
            kubernetes: {
              ...lock.kubernetes,
              ...(lock.kubernetes.kubeconfig !== undefined ? { kubeconfig: expandPath(lock.kubernetes.kubeconfig, dir) } : {}),
            },
          },
    leaseMs: duration(state.lease ?? DEFAULTS.stateLease),
  }
}

function time(text: string): number {
  const ms = parseTimestamp(text)
  if (ms === undefined) throw new Error(`resolvePlan: unchecked timestamp ${text}`)
  return ms
}

function duration(text: string): number {
  const ms = parseDuration(text)
  if (ms === undefined) throw new Error(`resolvePlan: unchecked duration ${text}`)
  return ms
}

function resolveGuards(raw: RawPlan['guards']): GuardsSpec {
  const { maxRewriteBytes, ...counts } = raw ?? {}
  if (maxRewriteBytes === undefined) return counts
  const bytes = parseSize(maxRewriteBytes)
  if (bytes === undefined) throw new Error(`resolvePlan: unchecked size ${maxRewriteBytes}`)
  return { ...counts, maxRewriteBytes: bytes }
}

function resolveDelete(raw: RawPlan['delete']): DeleteSpec | false {
  if (raw === false) return false
  return {
    mode: raw.mode ?? DEFAULTS.deleteMode,
    per: raw.per ?? DEFAULTS.deletePer,
    maxCustomers: raw.maxCustomers ?? DEFAULTS.deleteMaxCustomers,
    settings: { ...raw.settings },
    timeoutMs: duration(raw.timeout ?? DEFAULTS.deleteTimeout),
  }
}

function resolveJob(raw: RawPlan, context: ResolveContext): JobSpec {
  const job = raw.job
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(job.env ?? {})) env[name] = envValue(value, context.plainText(['job', 'env', name]))
  return {
    kind: job.kind,
    ...(job.kubernetes ? { kubernetes: { ownerReference: DEFAULTS.kubernetesOwnerReference, onTemplateChange: DEFAULTS.kubernetesOnTemplateChange, ...job.kubernetes } } : {}),
    ...(job.sql !== undefined ? { sql: job.sql } : {}),
    ...(job.command ? { command: job.command } : {}),
    env,
    ...(job.timeout ? { timeoutMs: duration(job.timeout) } : {}),
    retries: job.retries ?? DEFAULTS.jobRetries,
    concurrency: job.concurrency ?? DEFAULTS.jobConcurrency,
  }
}

/** Numbers and booleans keep the text the user wrote (`1.10`, `TRUE`), not their JavaScript spelling. */
function envValue(value: Scalar, written: string | undefined): string {
  return typeof value === 'string' ? value : (written ?? String(value))
}

function resolveVerify(raw: RawPlan): VerifySpec {
  const verify = raw.verify ?? {}
  return {
    duplicates: verify.duplicates ?? DEFAULTS.verifyDuplicates,
    requireData: verify.requireData ?? DEFAULTS.verifyRequireData,
    ...(verify.ratio ? { ratio: { ...verify.ratio } } : {}),
    checks: (verify.checks ?? []).map((check) => ({ ...check })),
  }
}

function resolveSchedule(raw: NonNullable<RawPlan['schedule']>): ScheduleSpec {
  const windows = raw.windows.map((text) => {
    const window = parseScheduleWindow(text)
    if (!window) throw new Error(`resolvePlan: unchecked schedule window ${text}`)
    return window
  })
  return { timezone: raw.timezone ?? DEFAULTS.scheduleTimezone, windows }
}

function resolveThrottle(raw: NonNullable<RawPlan['throttle']>): ThrottleSpec {
  return {
    intervalMs: duration(raw.interval ?? DEFAULTS.throttleInterval),
    ...(raw.replicationDelay !== undefined ? { replicationDelayMs: duration(raw.replicationDelay) } : {}),
    ...(raw.replicationQueue !== undefined ? { replicationQueue: raw.replicationQueue } : {}),
    ...(raw.partsPerPartition !== undefined ? { partsPerPartition: raw.partsPerPartition } : {}),
    ...(raw.mergesBusy !== undefined ? { mergesBusy: raw.mergesBusy } : {}),
    checks: (raw.checks ?? []).map((check) => ({ ...check })),
  }
}

function resolveCluster(name: string, raw: RawCluster, planWindow: Window, dir: string): ClusterSpec {
  const { settings, embedded, ...connection } = raw.clickhouse
  const clusterWindow = overlay(planWindow, raw.window)
  const listed = Array.isArray(raw.customers) ? raw.customers : []
  const customers = listed.map((entry): CustomerSpec =>
    typeof entry === 'string' ? { id: entry, window: clusterWindow } : { id: entry.id, window: overlay(clusterWindow, entry.window) },
  )
  return {
    name,
    clickhouse: { ...connection, ...(embedded !== undefined ? { embedded: expandPath(embedded, dir) } : {}), settings: { ...settings } },
    ...(raw.kubernetes ? { kubernetes: resolveKubernetes(raw.kubernetes, dir) } : {}),
    customers,
    ...(Array.isArray(raw.customers) ? {} : { discover: resolveDiscovery(raw.customers, clusterWindow) }),
  }
}

function resolveDiscovery(raw: RawDiscovery, clusterWindow: Window): CustomerDiscovery {
  const source: DiscoverySource = raw.query !== undefined ? { query: raw.query } : { from: raw.from ?? 'target', minRows: raw.minRows ?? DEFAULTS.discoveryMinRows }
  return {
    source,
    exclude: [...new Set(raw.exclude ?? [])],
    window: clusterWindow,
    windows: Object.entries(raw.windows ?? {}).map(([id, window]) => ({ id, window: overlay(clusterWindow, window) })),
  }
}

function overlay(base: Window, own: RawWindow | undefined): Window {
  if (!own) return base
  return { start: own.start !== undefined ? time(own.start) : base.start, end: own.end !== undefined ? time(own.end) : base.end }
}

function resolveKubernetes(raw: NonNullable<RawCluster['kubernetes']>, dir: string): NonNullable<ClusterSpec['kubernetes']> {
  // qps and burst stay unset when left out: the launcher applies their defaults.
  return {
    context: raw.context,
    ...(raw.kubeconfig !== undefined ? { kubeconfig: expandPath(raw.kubeconfig, dir) } : {}),
    ...(raw.qps !== undefined ? { qps: raw.qps } : {}),
    ...(raw.burst !== undefined ? { burst: raw.burst } : {}),
  }
}

/** `~/x` is under the home folder; other relative paths are relative to the plan's folder. */
function expandPath(path: string, dir: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1))
  return isAbsolute(path) ? path : resolve(dir, path)
}
