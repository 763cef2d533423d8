import type { ReportModel } from '../../engine/report/model.js'
import { UNIT_STATUSES } from '../../engine/report/model.js'
import { formatElapsed, formatEta } from '../progress/elapsed.js'
import { escapeHtml, formatCount, formatTime } from './html.js'
import { LEGEND_ORDER, STATUS_LOOK } from './status-look.js'

function fact(term: string, value: string): string {
  return `<div><dt>${escapeHtml(term)}</dt><dd>${value}</dd></div>`
}

function applyFact(model: ReportModel): string {
  const { lock } = model
  if (lock) return `${escapeHtml(lock.operation)} in progress: lock held by ${escapeHtml(lock.who)}@${escapeHtml(lock.host)} (pid ${lock.pid}) since ${formatTime(lock.created)}`
  if (model.lastRecorded) return `last step recorded ${formatTime(model.lastRecorded)}`
  return 'nothing applied yet'
}

/** The legend, which is also the totals: each status's colour, symbol, word and count of units. */
function legend(model: ReportModel): string {
  const items = LEGEND_ORDER.map((status) => {
    const count = status === 'outside' ? '' : ` <b>${formatCount(model.totals[status])}</b>`
    return `<li><span class="swatch" data-s="${status}">${STATUS_LOOK[status].symbol}</span> ${STATUS_LOOK[status].word}${count}</li>`
  })
  return `<ul class="legend" aria-label="Units by status">${items.join('')}</ul>`
}

/** The page's header: what the plan is, where its state stands, the totals, the time taken and left. */
export function renderHeader(model: ReportModel): string {
  const units = UNIT_STATUSES.reduce((sum, status) => sum + model.totals[status], 0)
  const done = model.totals.verified
  const facts = [
    fact('Plan', `${escapeHtml(model.plan.file)} · batch ${escapeHtml(model.batch.text)}`),
    fact('State', model.state.lineage ? `serial ${model.state.serial} · lineage ${escapeHtml(model.state.lineage)}` : 'empty'),
    fact('Apply', applyFact(model)),
    fact('Progress', `${formatCount(done)} of ${formatCount(units)} units verified (${units === 0 ? 100 : Math.floor((done / units) * 100)}%)`),
    fact('Elapsed', model.elapsedMs === undefined ? '—' : formatElapsed(model.elapsedMs)),
    fact('ETA', model.etaMs === undefined ? (done === units ? 'done' : '—') : `${formatEta(model.etaMs)} at the pace so far`),
    fact('Made', `${formatTime(model.madeAt)} · ${model.refreshed ? 'with live figures from ClickHouse' : 'from the state alone (--refresh=false): drift not checked'}`),
  ]
  const description = model.plan.description.trim()
  return [
    `<header><h1>${escapeHtml(model.plan.name)}</h1>`,
    description === '' ? '' : `<p class="description">${escapeHtml(description)}</p>`,
    `<dl class="facts">${facts.join('')}</dl>`,
    legend(model),
    '</header>',
  ].join('\n')
}
