import type { ReportModel } from '../../engine/report/model.js'
import { UNIT_STATUSES } from '../../engine/report/model.js'
import { formatCount } from './html.js'
import { STATUS_LOOK } from './status-look.js'

/** One line for the terminal: `42 units: 40 verified, 2 failed`. */
export function reportSummary(model: ReportModel): string {
  const units = UNIT_STATUSES.reduce((sum, status) => sum + model.totals[status], 0)
  const counts = UNIT_STATUSES.filter((status) => model.totals[status] > 0).map((status) => `${formatCount(model.totals[status])} ${STATUS_LOOK[status].word}`)
  return `${formatCount(units)} units${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`
}
