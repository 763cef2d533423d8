import type { KubernetesLeaseSpec } from '../plan/model.js'

/** Where a plan's Lease is, and what to call it in messages. */
export interface LeaseRef {
  name: string
  namespace: string
  plan: string
}

/**
 * The Lease of a plan: `bf-<plan name>`, a valid DNS name since plan names are slugs of
 * at most 40 characters (a trailing dash is dropped; the `bf.dev/plan` annotation tells
 * two plans that would share a name apart).
 */
export function leaseRef(spec: KubernetesLeaseSpec, plan: string): LeaseRef {
  return { name: `bf-${plan}`.replace(/-+$/, ''), namespace: spec.namespace, plan }
}

/** `Lease bf-relabel-2026 in namespace backfills` */
export function leaseWhere(ref: LeaseRef): string {
  return `Lease ${ref.name} in namespace ${ref.namespace}`
}
