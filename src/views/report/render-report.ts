import type { ReportModel } from '../../engine/report/model.js'
import { renderDeletes } from './deletes.js'
import { renderGrid } from './grid.js'
import type { GridDetails } from './grid.js'
import { renderHeader } from './header.js'
import { escapeHtml, formatCount } from './html.js'
import { REPORT_SCRIPT } from './script.js'
import { REPORT_CSS } from './style.js'

function clusterSection(model: ReportModel, index: number, details: GridDetails[]): string {
  const cluster = model.clusters[index]
  if (!cluster) return ''
  const grid = renderGrid(cluster, model.batch.stepMs, index)
  details.push(grid.details)
  const { totals } = cluster
  const counts = `${formatCount(totals.verified)} verified · ${formatCount(totals.failed)} failed · ${formatCount(totals.drifted)} drifted · ${formatCount(totals.running)} running · ${formatCount(totals.todo)} to do`
  return [
    `<section class="cluster" aria-labelledby="cluster-${index}">`,
    `<h2 id="cluster-${index}">Cluster ${escapeHtml(cluster.name)}</h2>`,
    `<p class="note">${counts}</p>`,
    grid.html,
    model.deletes ? renderDeletes(cluster) : '',
    '</section>',
  ].join('\n')
}

/** JSON that cannot end the script element holding it, whatever its strings say. */
function jsonInHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

/**
 * The whole report as one HTML page: styles, data and script inline, no request to
 * anything, readable without the script. Pure: the caller writes it.
 */
export function renderReportHtml(model: ReportModel): string {
  const details: GridDetails[] = []
  const sections = model.clusters.map((_, index) => clusterSection(model, index, details))
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing on the page may reach the network, whatever its text holds.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>bf report: ${escapeHtml(model.plan.name)}</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    renderHeader(model),
    '<main>',
    ...sections,
    '</main>',
    `<footer>Made by bf report. Hover or focus a cell (Tab, then the arrow keys) for its details.</footer>`,
    '<aside id="details" aria-live="polite" aria-label="Details of the cell in focus" hidden></aside>',
    `<script type="application/json" id="cell-details">${jsonInHtml(details)}</script>`,
    `<script>${REPORT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n')
}
