import type { ReportCluster, ReportCustomerDeletes, ReportDelete } from '../../engine/report/model.js'
import { mergeRanges } from '../../engine/delete-ranges.js'
import { formatTimestamp } from '../../plan/timestamp.js'
import { formatDuration } from '../../plan/duration.js'
import { escapeHtml, formatCount, formatTime } from './html.js'

/** Mutation ids named per replica at most; the rest are counted. */
const NAMED_MUTATIONS = 2

/** Ranges named at most per customer; the rest are counted. */
const NAMED_RANGES = 3

/** The ranges the customer's deletes removed, merged: `2026-01-01 – 2026-01-15`, `…, +4 more`. */
function rangesText(deletes: readonly ReportDelete[]): string {
  const ranges = mergeRanges(deletes.flatMap((remove) => remove.ranges))
  if (ranges.length === 0) return '—'
  const named = ranges.slice(0, NAMED_RANGES).map((range) => `${timeText(range.start)} – ${timeText(range.end)}`)
  if (ranges.length > NAMED_RANGES) named.push(`+${formatCount(ranges.length - NAMED_RANGES)} more`)
  return named.map(escapeHtml).join('<br>')
}

function rowsText(deletes: readonly ReportDelete[]): string {
  if (deletes.some((remove) => remove.estimatedRows === undefined)) return '—'
  return `~${formatCount(deletes.reduce((sum, remove) => sum + (remove.estimatedRows ?? 0), 0))}`
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
  const hosts = new Map<string, { done: number; all: number; ids: string[]; partsToDo: number; parts: number; doneAt?: string; failReason?: string }>()
  for (const remove of deletes) {
    for (const host of remove.hosts) {
      const seen = hosts.get(host.host) ?? { done: 0, all: 0, ids: [], partsToDo: 0, parts: 0 }
      seen.all++
      if (host.isDone) seen.done++
      seen.ids.push(host.mutationId)
      seen.partsToDo += host.partsToDo
      seen.parts += host.mostPartsToDo ?? 0
      if (host.doneAt && (!seen.doneAt || host.doneAt > seen.doneAt)) seen.doneAt = host.doneAt
      if (host.failReason) seen.failReason = host.failReason
      hosts.set(host.host, seen)
    }
  }
  if (hosts.size === 0) return '—'
  const lines = [...hosts].map(([host, seen]) => {
    const ids = seen.ids.slice(0, NAMED_MUTATIONS).join(', ') + (seen.ids.length > NAMED_MUTATIONS ? ` +${formatCount(seen.ids.length - NAMED_MUTATIONS)}` : '')
    // The time of day each replica finished; the last of them is the table's "all replicas done".
    const at = hosts.size > 1 && seen.doneAt ? ` ${formatTime(seen.doneAt).slice(11, 19)}` : ''
    const finished = seen.done === seen.all ? `${seen.all === 1 ? 'done' : `${formatCount(seen.all)} done`}${at}` : `${formatCount(seen.done)}/${formatCount(seen.all)} done, ${formatCount(seen.partsToDo)} ${seen.partsToDo === 1 ? 'part' : 'parts'} to do`
    const state = seen.parts > 0 ? `${finished}, ${formatCount(seen.parts)} ${seen.parts === 1 ? 'part' : 'parts'} rewritten` : finished
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
    `<td>${rangesText(deletes)}</td>`,
    `<td>${rowsText(deletes)}</td>`,
    `<td>${statusText(deletes)}</td>`,
    `<td>${replicas(deletes)}</td>`,
    `<td>${doneAt ? formatTime(doneAt) : '—'}</td>`,
    `<td>${waited > 0 ? formatDuration(waited) : '—'}</td></tr>`,
  ].join('')
}

/** A cluster's deletes, a customer a row: which ranges, how many rows, how far, each replica's mutations, parts rewritten and when each and all were done. */
export function renderDeletes(cluster: ReportCluster): string {
  const covered = cluster.deletes.filter((entry) => entry.deletes.length > 0 && entry.deletes.every((remove) => remove.status === 'done')).length
  const summary = `${formatCount(covered)} of ${formatCount(cluster.customers.length)} customers covered by a finished delete`
  if (cluster.deletes.length === 0) return `<h3>Deletes</h3><p class="note">${summary}: none recorded yet.</p>`
  return [
    `<h3>Deletes</h3><p class="note">${summary}.</p>`,
    '<div class="table-wrap"><table class="deletes"><thead><tr><th scope="col">customer</th><th scope="col">ranges</th><th scope="col">rows</th><th scope="col">status</th><th scope="col">replicas: mutation ids</th><th scope="col">all replicas done</th><th scope="col">waited</th></tr></thead><tbody>',
    ...cluster.deletes.map(row),
    '</tbody></table></div>',
  ].join('\n')
}
