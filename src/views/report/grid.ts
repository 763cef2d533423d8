import type { ReportCluster, ReportCustomer, ReportUnit, UnitStatus } from '../../engine/report/model.js'
import { UNIT_STATUSES } from '../../engine/report/model.js'
import { joinAddress } from '../../plan/address.js'
import { groupDetails, unitDetails, verifiedGroupDetails } from './cell-details.js'
import { chooseColumns } from './columns.js'
import type { Column, ColumnSize } from './columns.js'
import { escapeHtml, formatCount } from './html.js'
import { STATUS_LOOK } from './status-look.js'
import type { CellStatus } from './status-look.js'

/**
 * Rows per table of a grid. A long grid is several tables, one under the other, that the
 * browser lays out only once they scroll into view: a thousand rows open in a moment.
 */
export const ROWS_PER_TABLE = 50

/**
 * What a grid's cells tell on hover or focus: a text per row and column, or 0 for a
 * column of batches all verified, whose text is the column's `verified` with the
 * customer in place of `CUSTOMER_MARK` (most cells of a long grid: the page stays small).
 */
export interface GridDetails {
  verified: string[]
  rows: (string | 0)[][]
}

/** Where a column's text for all verified takes the customer's id. */
export const CUSTOMER_MARK = '\u0000'

/** A grid's HTML and its cells' details. */
export interface RenderedGrid {
  html: string
  details: GridDetails
}

function cell(status: CellStatus, extra = ''): string {
  return `<td data-s="${status}"${extra}>${STATUS_LOOK[status].symbol}</td>`
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
function groupCell(units: readonly ReportUnit[], batches: number): string {
  if (units.length === 0) return cell('outside')
  const status = worst(units)
  const share = units.filter((unit) => unit.status === status).length / batches
  return cell(status, share < 1 && status !== 'verified' ? ` style="--p:${Math.max(1, Math.round(share * 100))}%"` : '')
}

function row(customer: ReportCustomer, cluster: string, columns: readonly Column[], grouped: boolean, details: (string | 0)[]): string {
  const byLabel = new Map(customer.units.map((unit) => [unit.label, unit]))
  const prefix = `${joinAddress(cluster)}/`
  const cells: string[] = []
  for (const column of columns) {
    if (grouped) {
      const units = column.labels.map((label) => byLabel.get(label)).filter((unit): unit is ReportUnit => unit !== undefined)
      cells.push(groupCell(units, column.labels.length))
      const allVerified = units.length === column.labels.length && units.every((unit) => unit.status === 'verified')
      details.push(allVerified ? 0 : groupDetails(`${prefix}${customer.id} ${column.label}`, units, column.labels.length - units.length))
      continue
    }
    const unit = byLabel.get(column.label)
    cells.push(unit ? cell(unit.status) : cell('outside'))
    details.push(unit ? unitDetails(unit) : `${prefix}${customer.id}/${column.label} · not in the customer's window`)
  }
  return `<tr><th scope="row">${escapeHtml(customer.id)}</th>${cells.join('')}</tr>`
}

const SIZE_WORDS: Record<ColumnSize, string> = { batch: 'one column per batch', day: 'columns of a day', week: 'columns of a week (ISO)', month: 'columns of a month', year: 'columns of a year' }

/** Month-day under a month-year heading would need two header rows; a short label in one row reads as well. */
function headerLabel(label: string, size: ColumnSize): string {
  if (size === 'batch' || size === 'day') return label.length > 10 ? label.slice(5).replace('T', ' ') : label.slice(5)
  return label
}

/**
 * A cluster's grid: one row per customer, one column per batch, or per group of batches
 * when a window is long. `index` names the grid among the page's.
 */
export function renderGrid(cluster: ReportCluster, stepMs: number, index: number): RenderedGrid {
  const { size, columns } = chooseColumns(cluster.batches, stepMs, cluster.customers.length)
  const grouped = size !== 'batch'
  const head = columns.map((column) => `<th scope="col" title="${escapeHtml(column.label)}"><span>${escapeHtml(headerLabel(column.label, size))}</span></th>`).join('')
  const prefix = `${joinAddress(cluster.name)}/`
  const details: GridDetails = { verified: grouped ? columns.map((column) => verifiedGroupDetails(`${prefix}${CUSTOMER_MARK} ${column.label}`, column.labels.length)) : [], rows: [] }
  const tables: string[] = []
  for (let first = 0; first < cluster.customers.length || first === 0; first += ROWS_PER_TABLE) {
    const rows = cluster.customers.slice(first, first + ROWS_PER_TABLE).map((customer) => {
      const rowDetails: (string | 0)[] = []
      details.rows.push(rowDetails)
      return row(customer, cluster.name, columns, grouped, rowDetails)
    })
    const caption = first === 0 ? `<caption>${escapeHtml(`${formatCount(cluster.customers.length)} customers × ${formatCount(cluster.batches.length)} batches, ${SIZE_WORDS[size]}`)}</caption>\n` : ''
    const header = first === 0 ? `<thead><tr><th scope="col" class="corner">customer</th>${head}</tr></thead>\n` : ''
    tables.push(`<div class="rows"><table class="grid" data-first="${first}" style="--columns:${columns.length}">${caption}${header}<tbody>\n${rows.join('\n')}\n</tbody></table></div>`)
  }
  const html = `<div class="grid-wrap" data-grid="${index}" data-cluster="${escapeHtml(cluster.name)}" data-columns="${size}">\n${tables.join('\n')}\n</div>`
  return { html, details }
}
