import type { ReportCluster, ReportCustomer, ReportUnit, UnitStatus } from '../../engine/report/model.js'
import { UNIT_STATUSES } from '../../engine/report/model.js'
import { joinAddress } from '../../plan/address.js'
import { groupDetails, unitDetails } from './cell-details.js'
import { chooseColumns } from './columns.js'
import type { Column, ColumnSize } from './columns.js'
import { escapeHtml, formatCount } from './html.js'
import { STATUS_LOOK } from './status-look.js'
import type { CellStatus } from './status-look.js'

function cell(status: CellStatus, details: string, extra = ''): string {
  return `<td data-s="${status}" tabindex="0" title="${escapeHtml(details)}"${extra}>${STATUS_LOOK[status].symbol}</td>`
}

/** The status that needs a person most among `units`. */
function worst(units: readonly ReportUnit[]): UnitStatus {
  let best = UNIT_STATUSES.length - 1
  for (const unit of units) best = Math.min(best, UNIT_STATUSES.indexOf(unit.status))
  return UNIT_STATUSES[best] ?? 'verified'
}

/**
 * A column of several batches takes the colour of its worst status only as far as that
 * status goes: one failed day of seven fills a seventh of the cell, not the whole week.
 */
function groupCell(customer: ReportCustomer, prefix: string, column: Column, units: readonly ReportUnit[]): string {
  const outside = column.labels.length - units.length
  const details = groupDetails(`${prefix}${customer.id} ${column.label}`, units, outside)
  if (units.length === 0) return cell('outside', details)
  const status = worst(units)
  const share = units.filter((unit) => unit.status === status).length / column.labels.length
  const fill = share < 1 && status !== 'verified' ? ` style="--p:${Math.max(1, Math.round(share * 100))}%"` : ''
  return cell(status, details, ` data-n="${units.length}"${fill}`)
}

function row(customer: ReportCustomer, cluster: string, columns: readonly Column[], grouped: boolean): string {
  const byLabel = new Map(customer.units.map((unit) => [unit.label, unit]))
  const prefix = `${joinAddress(cluster)}/`
  const cells: string[] = []
  for (const column of columns) {
    if (grouped) {
      const units = column.labels.map((label) => byLabel.get(label)).filter((unit): unit is ReportUnit => unit !== undefined)
      cells.push(groupCell(customer, prefix, column, units))
      continue
    }
    const unit = byLabel.get(column.label)
    cells.push(unit ? cell(unit.status, unitDetails(unit)) : cell('outside', `${prefix}${customer.id}/${column.label} · not in the customer's window`))
  }
  return `<tr><th scope="row">${escapeHtml(customer.id)}</th>${cells.join('')}</tr>`
}

const SIZE_WORDS: Record<ColumnSize, string> = { batch: 'one column per batch', day: 'columns of a day', week: 'columns of a week (ISO)', month: 'columns of a month', year: 'columns of a year' }

/** Month-day under a month-year heading would need two header rows; a short label in one row reads as well. */
function headerLabel(label: string, size: ColumnSize): string {
  if (size === 'batch' || size === 'day') return label.length > 10 ? label.slice(5).replace('T', ' ') : label.slice(5)
  return label
}

/** A cluster's grid: one row per customer, one column per batch, or per group of batches when a window is long. */
export function renderGrid(cluster: ReportCluster, stepMs: number): string {
  const { size, columns } = chooseColumns(cluster.batches, stepMs, cluster.customers.length)
  const grouped = size !== 'batch'
  const head = columns.map((column) => `<th scope="col" title="${escapeHtml(column.label)}"><span>${escapeHtml(headerLabel(column.label, size))}</span></th>`).join('')
  const body = cluster.customers.map((customer) => row(customer, cluster.name, columns, grouped)).join('\n')
  const caption = `${formatCount(cluster.customers.length)} customers × ${formatCount(cluster.batches.length)} batches, ${SIZE_WORDS[size]}`
  return [
    `<div class="grid-wrap"><table class="grid${grouped ? ' grouped' : ''}" data-cluster="${escapeHtml(cluster.name)}" data-columns="${size}">`,
    `<caption>${escapeHtml(caption)}</caption>`,
    `<thead><tr><th scope="col" class="corner">customer</th>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody></table></div>`,
  ].join('\n')
}
