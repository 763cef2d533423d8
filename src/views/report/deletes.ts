import type { ReportCluster, ReportCustomerDeletes, ReportDelete } from '../../engine/report/model.js'
import { formatTimestamp } from '../../plan/timestamp.js'
import { formatDuration } from '../../plan/duration.js'
import { escapeHtml, formatCount, formatTime } from './html.js'

/** Mutation ids named per replica at most; the rest are counted. */
const NAMED_MUTATIONS = 2

function span(deletes: readonly ReportDelete[]): string {
  const windows = deletes.flatMap((remove) => (remove.window ? [remove.window] : []))
  if (windows.length === 0) return '—'
  const start = Math.min(...windows.map((window) => window.start))
  const end = Math.max(...windows.map((window) => window.end))
  return `${timeText(start)} – ${timeText(end)}`
}

/** `2026-01-15` at midnight, the full timestamp otherwise. */
function timeText(time: number): string {
  const text = formatTimestamp(time)
  return text.endsWith('T00:00:00Z') ? text.slice(0, 10) : text
}

function statusText(deletes: readonly ReportDelete[]): string {
  const counts = new Map<ReportDelete['status'], number>()
  for (const remove of deletes) counts.set(remove.status, (counts.get(remove.status) ?? 0) + 1)
  const words = (['failed', 'running', 'submitted', 'done'] as const).filter((status) => counts.has(status)).map((status) => (deletes.length === 1 ? status : `${formatCount(counts.get(status) ?? 0)} of ${formatCount(deletes.length)} ${status}`))
  const errors = [...new Set(deletes.flatMap((remove) => (remove.error ? [remove.error] : [])))]
  return escapeHtml([words.join(', '), ...errors.slice(0, 1)].join(': '))
}

/** Each replica once: its mutations (done of all), the ids, parts still to do, a failure. */
function replicas(deletes: readonly ReportDelete[]): string {
  const hosts = new Map<string, { done: number; all: number; ids: string[]; partsToDo: number; failReason?: string }>()
  for (const remove of deletes) {
    for (const host of remove.hosts) {
      const seen = hosts.get(host.host) ?? { done: 0, all: 0, ids: [], partsToDo: 0 }
      seen.all++
      if (host.isDone) seen.done++
      seen.ids.push(host.mutationId)
      seen.partsToDo += host.partsToDo
      if (host.failReason) seen.failReason = host.failReason
      hosts.set(host.host, seen)
    }
  }
  if (hosts.size === 0) return '—'
  const lines = [...hosts].map(([host, seen]) => {
    const ids = seen.ids.slice(0, NAMED_MUTATIONS).join(', ') + (seen.ids.length > NAMED_MUTATIONS ? ` +${formatCount(seen.ids.length - NAMED_MUTATIONS)}` : '')
    const state = seen.done === seen.all ? (seen.all === 1 ? 'done' : `${formatCount(seen.all)} done`) : `${formatCount(seen.done)}/${formatCount(seen.all)} done, ${formatCount(seen.partsToDo)} parts to do`
    return `${escapeHtml(host)}: ${escapeHtml(ids)} (${state}${seen.failReason ? `; failing: ${escapeHtml(seen.failReason)}` : ''})`
  })
  return lines.join('<br>')
}

function row(entry: ReportCustomerDeletes): string {
  const { deletes } = entry
  const doneAt = deletes.flatMap((remove) => (remove.doneAt ? [remove.doneAt] : [])).sort().at(-1)
  const waited = deletes.reduce((sum, remove) => sum + (remove.waitedMs ?? 0), 0)
  const failed = deletes.some((remove) => remove.status === 'failed')
  return [
    `<tr${failed ? ' data-s="failed"' : ''}><th scope="row">${escapeHtml(entry.customer)}</th>`,
    `<td>${span(deletes)}</td>`,
    `<td>${statusText(deletes)}</td>`,
    `<td>${replicas(deletes)}</td>`,
    `<td>${doneAt ? formatTime(doneAt) : '—'}</td>`,
    `<td>${waited > 0 ? formatDuration(waited) : '—'}</td></tr>`,
  ].join('')
}

/** A cluster's deletes, a customer a row: which windows, how far, each replica's mutations and when all were done. */
export function renderDeletes(cluster: ReportCluster): string {
  const covered = cluster.deletes.filter((entry) => entry.deletes.length > 0 && entry.deletes.every((remove) => remove.status === 'done')).length
  const summary = `${formatCount(covered)} of ${formatCount(cluster.customers.length)} customers covered by a finished delete`
  if (cluster.deletes.length === 0) return `<h3>Deletes</h3><p class="note">${summary}: none recorded yet.</p>`
  return [
    `<h3>Deletes</h3><p class="note">${summary}.</p>`,
    '<div class="table-wrap"><table class="deletes"><thead><tr><th scope="col">customer</th><th scope="col">window</th><th scope="col">status</th><th scope="col">replicas: mutation ids</th><th scope="col">all replicas done</th><th scope="col">waited</th></tr></thead><tbody>',
    ...cluster.deletes.map(row),
    '</tbody></table></div>',
  ].join('\n')
}
