import type { StepRecord } from '../../state/model.js'
import type { ReportCluster } from './model.js'

/** Transitions kept as the latest ones. */
const RECENT = 5

const transitionTime = (record: StepRecord): string => record.finishedAt ?? record.startedAt

/** The span of the recorded steps (the first start and the last transition) and the latest transitions, newest first. */
export class RecordedSpan {
  first?: number
  last?: number
  readonly recent: StepRecord[] = []

  add(steps: ReadonlyMap<string, StepRecord>): void {
    for (const record of steps.values()) {
      this.#see(Date.parse(record.startedAt))
      if (record.finishedAt !== undefined) this.#see(Date.parse(record.finishedAt))
      this.#keepIfRecent(record)
    }
  }

  #keepIfRecent(record: StepRecord): void {
    const at = transitionTime(record)
    const oldest = this.recent[this.recent.length - 1]
    if (this.recent.length === RECENT && oldest && transitionTime(oldest) >= at) return
    let index = this.recent.findIndex((kept) => transitionTime(kept) < at)
    if (index === -1) index = this.recent.length
    this.recent.splice(index, 0, record)
    if (this.recent.length > RECENT) this.recent.pop()
  }

  #see(time: number): void {
    if (!Number.isFinite(time)) return
    if (this.first === undefined || time < this.first) this.first = time
    if (this.last === undefined || time > this.last) this.last = time
  }
}

/**
 * What is left, at the pace units took so far: per cluster, the mean time of a done unit
 * times the units left, over the jobs that run at once; the slowest cluster sets it.
 * Undefined when nothing is left or no unit has a duration yet.
 */
export function estimateRemaining(clusters: readonly ReportCluster[], concurrency: number): number | undefined {
  let total = 0
  let timed = 0
  let left = false
  for (const cluster of clusters) {
    for (const customer of cluster.customers) {
      for (const unit of customer.units) {
        if (unit.status === 'verified' && unit.durationMs !== undefined) {
          total += unit.durationMs
          timed++
        }
      }
    }
    if (cluster.totals.todo + cluster.totals.running + cluster.totals.failed + cluster.totals.drifted > 0) left = true
  }
  if (!left || timed === 0) return undefined
  const mean = total / timed
  const slowest = Math.max(...clusters.map((cluster) => cluster.totals.todo + cluster.totals.running + cluster.totals.failed + cluster.totals.drifted))
  return (mean * slowest) / Math.max(1, concurrency)
}
