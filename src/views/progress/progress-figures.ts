import { formatNumber } from '../text.js'
import type { ApplyTally } from './apply-tally.js'
import { formatEta } from './elapsed.js'
import { throttleText, waitingText } from './operation-lines.js'

/** `2/10 units · 40 units/h`: units verified of the apply's, and how fast they go. */
export function unitFigures(tally: ApplyTally, now: number): string[] {
  if (tally.units === 0) return []
  const parts = [`${formatNumber(tally.unitsDone.size)}/${formatNumber(tally.units)} units`]
  const rate = tally.unitsPerHour(now)
  if (rate !== undefined) parts.push(`${rate >= 10 ? formatNumber(Math.round(rate)) : rate.toFixed(1)} units/h`)
  return parts
}

/** `ETA ~5m`, from the durations of the jobs so far. */
export function etaFigure(tally: ApplyTally, jobs: number, concurrency: number, now: number): string[] {
  const eta = tally.estimateRemaining(jobs, concurrency, now)
  return eta === undefined ? [] : [`ETA ${formatEta(eta)}`]
}

/** What holds steps back now: a pause, the schedule, each throttled cluster. */
export function holdLines(tally: ApplyTally, now: number): string[] {
  const lines: string[] = []
  if (tally.paused) lines.push(`paused by ${tally.paused.by}${tally.paused.reason.trim() === '' ? '' : `: ${tally.paused.reason}`} (bf resume to go on)`)
  const waiting = tally.waiting
  if (waiting) lines.push(waitingText(waiting.window, waiting.timezone, waiting.opensInMs - (now - waiting.seenAt)))
  for (const [cluster, over] of tally.throttled) lines.push(throttleText(cluster, over.check, over.value, over.limit))
  return lines
}
