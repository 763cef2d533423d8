import type { UnitStatus } from '../engine/report/model.js'
import type { StatusModel } from '../engine/status/build-status.js'
import { palette } from './palette.js'
import { describePause } from './pause-text.js'
import { formatElapsed } from './progress/elapsed.js'
import { renderTable } from './table.js'
import { formatNumber, oneLine } from './text.js'
import { holderJson } from './lock-holder.js'

const COLUMNS: readonly { status: UnitStatus; title: string }[] = [
  { status: 'verified', title: 'VERIFIED' },
  { status: 'failed', title: 'FAILED' },
  { status: 'drifted', title: 'DRIFTED' },
  { status: 'running', title: 'RUNNING' },
  { status: 'todo', title: 'TO DO' },
]

const sum = (totals: Record<UnitStatus, number>): number => COLUMNS.reduce((total, { status }) => total + totals[status], 0)

function progressRow(name: string, totals: Record<UnitStatus, number>): string[] {
  return [name, ...COLUMNS.map(({ status }) => formatNumber(totals[status])), formatNumber(sum(totals))]
}

/** When a lease ends unless renewed, and where its holder runs (a CI run, a pod), when the lock says. */
/**
 * `bf status` for a person: who applies the plan (or that nobody does), a pause, units of
 * each cluster by status, elapsed time and ETA, and the last transitions.
 */
export function renderStatus(model: StatusModel, options: { color: boolean }): string {
  const c = palette(options.color)
  const lines = [c.bold(`Plan ${oneLine(model.plan.name)} (${oneLine(model.plan.file)}) · state serial ${model.state.serial}`)]
  const { holder } = model
  lines.push(
    holder
      ? `Applying: ${oneLine(holder.operation)} by ${oneLine(holder.who)}@${oneLine(holder.host)} (pid ${holder.pid}) since ${holder.created}${holder.expires ? `, lease expires ${holder.expires}` : ''}${holder.from ? `, from ${oneLine(holder.from)}` : ''}`
      : 'No apply is running.',
  )
  if (model.pause) lines.push(c.yellow.bold(`Paused: ${describePause(model.pause)}. Go on with bf resume.`))
  lines.push('')
  const rows = model.clusters.map((cluster) => progressRow(oneLine(cluster.name), cluster.totals))
  if (model.clusters.length > 1) rows.push(progressRow('all', model.totals))
  const [header = '', ...body] = renderTable(['CLUSTER', ...COLUMNS.map(({ title }) => title), 'UNITS'], rows)
  lines.push(c.bold(header), ...body, '')
  const done = model.totals.verified
  const total = sum(model.totals)
  const eta = model.etaMs === undefined ? (done === total ? 'done' : 'unknown until a unit is verified') : formatElapsed(model.etaMs)
  lines.push(`${formatNumber(done)} of ${formatNumber(total)} units verified · elapsed ${model.elapsedMs === undefined ? '—' : formatElapsed(model.elapsedMs)} · ETA ${eta}`)
  if (model.recent.length > 0) {
    lines.push('', 'Last transitions:')
    for (const step of model.recent) lines.push(`  ${step.at}  ${step.status.padEnd(9)}  ${oneLine(step.address)}${step.error ? c.red(`: ${oneLine(step.error)}`) : ''}`)
  }
  return `${lines.join('\n')}\n`
}

/** `bf status --json`, format_version "1": snake_case keys in a fixed order; absent parts are null. */
export function statusToJson(model: StatusModel): object {
  const counts = (totals: Record<UnitStatus, number>) => ({ verified: totals.verified, failed: totals.failed, drifted: totals.drifted, running: totals.running, todo: totals.todo, total: sum(totals) })
  return {
    format_version: '1',
    plan: { name: model.plan.name, file: model.plan.file },
    state: model.state,
    holder: model.holder ? holderJson(model.holder) : null,
    pause: model.pause ? { by: `${model.pause.who}@${model.pause.host}`, pid: model.pause.pid, reason: model.pause.reason, since: model.pause.since } : null,
    clusters: model.clusters.map((cluster) => ({ cluster: cluster.name, ...counts(cluster.totals) })),
    totals: counts(model.totals),
    elapsed_ms: model.elapsedMs === undefined ? null : Math.round(model.elapsedMs),
    eta_ms: model.etaMs === undefined ? null : Math.round(model.etaMs),
    recent: model.recent.map((step) => ({ address: step.address, status: step.status, at: step.at, ...(step.error === undefined ? {} : { error: step.error }) })),
  }
}
