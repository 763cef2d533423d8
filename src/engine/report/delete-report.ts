import type { JsonValue, StepRecord } from '../../state/model.js'
import { recordedRanges } from '../delete-ranges.js'
import type { ReportDelete, ReportMutationHost } from './model.js'

function hostsOf(outputs: { [key: string]: JsonValue } | undefined): ReportMutationHost[] {
  const hosts = outputs?.hosts
  if (!Array.isArray(hosts)) return []
  const found: ReportMutationHost[] = []
  for (const host of hosts) {
    if (host === null || typeof host !== 'object' || Array.isArray(host)) continue
    const failReason = typeof host.latestFailReason === 'string' && host.latestFailReason !== '' ? host.latestFailReason : undefined
    found.push({
      host: String(host.host ?? ''),
      mutationId: String(host.mutationId ?? ''),
      isDone: host.isDone === true,
      partsToDo: typeof host.partsToDo === 'number' ? host.partsToDo : 0,
      ...(typeof host.mostPartsToDo === 'number' ? { mostPartsToDo: host.mostPartsToDo } : {}),
      ...(typeof host.doneAt === 'string' ? { doneAt: host.doneAt } : {}),
      ...(failReason ? { failReason } : {}),
    })
  }
  return found
}

function statusOf(remove: StepRecord, wait: StepRecord | undefined, applying: boolean): ReportDelete['status'] {
  if (remove.status === 'failed' || wait?.status === 'failed') return 'failed'
  if (wait?.status === 'succeeded') return 'done'
  if (applying && (remove.status === 'started' || wait?.status === 'started')) return 'running'
  return remove.status === 'succeeded' ? 'submitted' : 'failed'
}

/**
 * A cluster's own deletes (`delete.per: cluster`: `cluster/delete`, `cluster/delete-2`, …),
 * by each customer they cover, as recorded in their inputs.
 */
export function sharedDeletesOf(steps: ReadonlyMap<string, StepRecord>, applying: boolean): Map<string, ReportDelete[]> {
  const byCustomer = new Map<string, ReportDelete[]>()
  for (const shown of deletesOf(steps, applying)) {
    const customers = steps.get(shown.address)?.inputs?.customers
    if (!Array.isArray(customers)) continue
    for (const customer of customers) {
      if (typeof customer !== 'string') continue
      const deletes = byCustomer.get(customer) ?? []
      deletes.push(shown)
      byCustomer.set(customer, deletes)
    }
  }
  return byCustomer
}

/**
 * The deletes recorded among one customer's steps, each with its wait for the mutation:
 * per customer (`cluster/customer/delete`) or per batch (`cluster/customer/2026-01-15/delete`).
 */
export function deletesOf(steps: ReadonlyMap<string, StepRecord>, applying: boolean): ReportDelete[] {
  const deletes: ReportDelete[] = []
  for (const record of steps.values()) {
    if (record.kind !== 'delete') continue
    const wait = steps.get(record.address.replace(/delete(-[1-9][0-9]*)?$/, 'await-mutation$1'))
    const estimatedRows = record.outputs?.estimatedRows
    const failed = record.status === 'failed' ? record : wait?.status === 'failed' ? wait : undefined
    const waitedMs = wait?.outputs?.waitedMs
    deletes.push({
      address: record.address,
      ranges: recordedRanges(record) ?? [],
      ...(typeof estimatedRows === 'number' ? { estimatedRows } : {}),
      status: statusOf(record, wait, applying),
      hosts: hostsOf(wait?.outputs),
      ...(wait?.status === 'succeeded' && wait.finishedAt ? { doneAt: wait.finishedAt } : {}),
      ...(typeof waitedMs === 'number' ? { waitedMs } : {}),
      ...(failed ? { error: failed.error ?? 'no error recorded' } : {}),
    })
  }
  return deletes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
}
