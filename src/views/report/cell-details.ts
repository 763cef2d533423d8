import type { ReportFigures, ReportUnit, UnitStatus } from '../../engine/report/model.js'
import { UNIT_STATUSES } from '../../engine/report/model.js'
import { formatDuration } from '../../plan/duration.js'
import { formatCount } from './html.js'
import { STATUS_LOOK } from './status-look.js'

const ratioText = (ratio: number): string => (Number.isFinite(ratio) ? ratio.toFixed(3) : '∞')

function figuresLine(figures: ReportFigures): string {
  const parts = [`rows ${formatCount(figures.rows)}`, `keys ${formatCount(figures.keys)}`]
  if (figures.expected !== undefined) parts.push(`expected ${formatCount(figures.expected)}`)
  if (figures.ratio !== undefined) parts.push(`ratio ${ratioText(figures.ratio)}`)
  return `${parts.join(' · ')} (${figures.source === 'live' ? 'live' : 'at verify'})`
}

/**
 * What a unit's cell tells on hover or focus, one fact a line: the address and status
 * first, then reasons, figures, attempts and duration, the job, the error.
 */
export function unitDetails(unit: ReportUnit): string {
  const lines = [`${unit.address} · ${STATUS_LOOK[unit.status].word}`]
  for (const reason of unit.reasons) lines.push(reason)
  if (unit.figures) lines.push(figuresLine(unit.figures))
  const run = [unit.attempts === 0 ? 'not run yet' : `attempts ${unit.attempts}`]
  if (unit.durationMs !== undefined) run.push(`took ${formatDuration(unit.durationMs)}`)
  lines.push(run.join(' · '))
  if (unit.job) lines.push(`${unit.job.kind} ${unit.job.name}`)
  if (unit.error) lines.push(unit.error)
  return lines.join('\n')
}

/** Units a grouped cell names one by one at most; the rest are counted. */
const NAMED_UNITS = 3

const batchesLine = (title: string, batches: number): string => `${title} · ${formatCount(batches)} batches`

/** What a grouped cell of `batches` batches all verified tells: what `groupDetails` says of it. */
export function verifiedGroupDetails(title: string, batches: number): string {
  return `${batchesLine(title, batches)}\n${formatCount(batches)} ${STATUS_LOOK.verified.word}`
}

/** What a grouped cell tells: how many batches in each status, and the units that need a person. */
export function groupDetails(title: string, units: readonly ReportUnit[], outside: number): string {
  const counts = new Map<UnitStatus, number>()
  for (const unit of units) counts.set(unit.status, (counts.get(unit.status) ?? 0) + 1)
  const tally = UNIT_STATUSES.filter((status) => counts.has(status)).map((status) => `${formatCount(counts.get(status) ?? 0)} ${STATUS_LOOK[status].word}`)
  if (outside > 0) tally.push(`${formatCount(outside)} not in window`)
  const lines = [batchesLine(title, units.length + outside), tally.join(' · ')]
  const notable = units.filter((unit) => unit.status !== 'verified' && unit.status !== 'todo')
  for (const unit of notable.slice(0, NAMED_UNITS)) {
    const why = unit.error ?? unit.reasons[0]
    lines.push(`${unit.address} ${STATUS_LOOK[unit.status].word}${why ? `: ${why}` : ''}`)
  }
  if (notable.length > NAMED_UNITS) lines.push(`and ${formatCount(notable.length - NAMED_UNITS)} more`)
  return lines.join('\n')
}
