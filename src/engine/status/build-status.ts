import type { PlanSpec } from '../../plan/model.js'
import type { LockInfo, PauseInfo } from '../../state/store.js'
import type { EngineDeps } from '../deps.js'
import { buildReport } from '../report/build-report.js'
import type { ReportModel, UnitStatus } from '../report/model.js'

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
  recent: ReportModel['recent']
}

/**
 * `bf status`: from the state alone (no ClickHouse query), through the state store's
 * interface and in one read of it: its lock holder, its pause, the units of each cluster
 * by status, the ETA and the last transitions, as `bf report` counts them.
 */
export async function buildStatus(spec: PlanSpec, deps: EngineDeps, now = Date.now()): Promise<StatusModel> {
  const report = await buildReport(spec, deps, { refresh: false, now })
  const pause = await deps.state.pauseInfo()
  return {
    plan: { name: spec.name, file: spec.source.file },
    state: report.state,
    ...(report.lock ? { holder: report.lock } : {}),
    ...(pause ? { pause } : {}),
    clusters: report.clusters.map((cluster) => ({ name: cluster.name, totals: cluster.totals })),
    totals: report.totals,
    ...(report.elapsedMs === undefined ? {} : { elapsedMs: report.elapsedMs }),
    ...(report.etaMs === undefined ? {} : { etaMs: report.etaMs }),
    recent: report.recent,
  }
}
