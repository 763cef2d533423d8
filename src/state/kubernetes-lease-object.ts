import { V1MicroTime } from '@kubernetes/client-node'
import type { V1Lease } from '@kubernetes/client-node'
import { UserError } from '../errors.js'
import type { LeaseRecord, StoredLease } from './lease-backend.js'
import type { LeaseRef } from './kubernetes-lease-ref.js'

/** The holder fields Kubernetes has no place for. */
export const LEASE_ANNOTATION = {
  plan: 'bf.dev/plan',
  who: 'bf.dev/who',
  host: 'bf.dev/host',
  pid: 'bf.dev/pid',
  operation: 'bf.dev/operation',
  from: 'bf.dev/from',
} as const

/**
 * A record as a Lease. Kubernetes' own fields carry what they mean to other tools: the
 * lock id is the holder identity, `created` the acquire time, the epoch the transitions,
 * and the lease ends at `renewTime + leaseDurationSeconds`: the renew time is set back by
 * under a second so that this sum is `expires` exactly.
 */
export function leaseObject(ref: LeaseRef, record: LeaseRecord, version?: string): V1Lease {
  const expires = Date.parse(record.expires)
  const durationSeconds = Math.max(1, Math.ceil((expires - Date.now()) / 1000))
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      ...(version === undefined ? {} : { resourceVersion: version }),
      annotations: {
        [LEASE_ANNOTATION.plan]: ref.plan,
        [LEASE_ANNOTATION.who]: record.who,
        [LEASE_ANNOTATION.host]: record.host,
        [LEASE_ANNOTATION.pid]: String(record.pid),
        [LEASE_ANNOTATION.operation]: record.operation,
        ...(record.from === undefined ? {} : { [LEASE_ANNOTATION.from]: record.from }),
      },
    },
    spec: {
      holderIdentity: record.id,
      acquireTime: new V1MicroTime(record.created),
      renewTime: new V1MicroTime(expires - durationSeconds * 1000),
      leaseDurationSeconds: durationSeconds,
      leaseTransitions: record.epoch,
    },
  }
}

/** The record a Lease holds; a Lease bf did not write (or one edited by hand) is a one-line error naming it. */
export function storedLease(ref: LeaseRef, lease: V1Lease): StoredLease {
  const where = `Lease ${ref.name} in namespace ${ref.namespace}`
  const invalid = (problem: string): UserError =>
    new UserError(`${where} is not a bf lease (${problem}); if no bf runs on plan ${ref.plan}, delete it: kubectl delete lease ${ref.name} -n ${ref.namespace}`)
  const annotations = lease.metadata?.annotations ?? {}
  const annotation = (key: string): string => {
    const value = annotations[key]
    if (value === undefined || value === '') throw invalid(`no annotation ${key}`)
    return value
  }
  const plan = annotation(LEASE_ANNOTATION.plan)
  if (plan !== ref.plan) throw new UserError(`${where} belongs to plan ${plan}, not ${ref.plan}: give one of the plans another name`)
  const pidText = annotation(LEASE_ANNOTATION.pid)
  const pid = Number(pidText)
  if (!/^\d+$/.test(pidText) || !Number.isSafeInteger(pid)) throw invalid(`annotation ${LEASE_ANNOTATION.pid} is "${pidText}", not a process id`)
  const spec = lease.spec ?? {}
  if (!spec.holderIdentity) throw invalid('no spec.holderIdentity')
  const epoch = spec.leaseTransitions
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0) throw invalid('no spec.leaseTransitions')
  const created = instant(spec.acquireTime, 'spec.acquireTime', invalid)
  const renewed = instant(spec.renewTime, 'spec.renewTime', invalid)
  const seconds = spec.leaseDurationSeconds
  if (typeof seconds !== 'number' || !(seconds > 0)) throw invalid('no spec.leaseDurationSeconds')
  const version = lease.metadata?.resourceVersion
  if (!version) throw invalid('no metadata.resourceVersion')
  const from = annotations[LEASE_ANNOTATION.from]
  const record: LeaseRecord = {
    id: spec.holderIdentity,
    who: annotation(LEASE_ANNOTATION.who),
    host: annotation(LEASE_ANNOTATION.host),
    pid,
    operation: annotation(LEASE_ANNOTATION.operation),
    created: new Date(created).toISOString(),
    expires: new Date(renewed + seconds * 1000).toISOString(),
    ...(from ? { from } : {}),
    epoch,
  }
  return { record, version }
}

/** A time as read: the client hands MicroTime fields over as the wire's string. */
function instant(value: unknown, field: string, invalid: (problem: string) => UserError): number {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : undefined
  const ms = text === undefined ? Number.NaN : Date.parse(text)
  if (Number.isNaN(ms)) throw invalid(text === undefined ? `no ${field}` : `${field} is "${text}", not a time`)
  return ms
}
