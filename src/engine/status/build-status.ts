import type { PlanSpec } from '../../plan/model.js'
import type { StepRecord } from '../../state/model.js'
import type { LockInfo, PauseInfo } from '../../state/store.js'
import type { EngineDeps } from '../deps.js'
import { buildReport } from '../report/build-report.js'
import type { UnitStatus } from '../report/model.js'

/** The step transitions `bf status` lists, newest first. */
const RECENT = 5

/** How a plan's backfill stands right now: who applies it, whether it is paused, how far each cluster is, when it ends. */
export interface StatusModel {
  plan: { name: string; file: string }
  state: { lineage: string | null; serial: number }
  /** The apply holding the state's lock, if one runs. */
  holder?: LockInfo
  pause?: PauseInfo
  clusters: { name: string; totals: Record<UnitStatus, number> }[]
  totals: Record<UnitStatus, number>
  /** From the first step's start to the last transition (or now, while an apply runs). */
  elapsedMs?: number
  /** What is left, at the pace units took so far. */
  etaMs?: number
  /** The latest step transitions, newest first. */
  recent: { address: string; status: StepRecord['status']; at: string; error?: string }[]
}

const transitionTime = (record: StepRecord): string => record.finishedAt ?? record.startedAt

/**
 * `bf status`: from the state alone (no ClickHouse query), through the state store's
 * interface: its lock holder, its pause, the units of each cluster by status and the
 * ETA as `bf report` counts them, and the last transitions recorded.
 */
export async function buildStatus(spec: PlanSpec, deps: EngineDeps, now = Date.now()): Promise<StatusModel> {
  const report = await buildReport(spec, deps, { refresh: false, now })
  const pause = await deps.state.pauseInfo()
  const snapshot = await deps.state.read()
  const recent = [...snapshot.steps.values()]
    .sort((a, b) => (transitionTime(a) < transitionTime(b) ? 1 : transitionTime(a) > transitionTime(b) ? -1 : 0))
    .slice(0, RECENT)
    .map((record) => ({ address: record.address, status: record.status, at: transitionTime(record), ...(record.error === undefined ? {} : { error: record.error }) }))
  return {
    plan: { name: spec.name, file: spec.source.file },
    state: report.state,
    ...(report.lock ? { holder: report.lock } : {}),
    ...(pause ? { pause } : {}),
    clusters: report.clusters.map((cluster) => ({ name: cluster.name, totals: cluster.totals })),
    totals: report.totals,
    ...(report.elapsedMs === undefined ? {} : { elapsedMs: report.elapsedMs }),
    ...(report.etaMs === undefined ? {} : { etaMs: report.etaMs }),
    recent,
  }
}
