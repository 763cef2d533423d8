import type { KubernetesLeaseSpec } from '../plan/model.js'
import type { KubernetesLeaseOptions } from './kubernetes-lease.js'
import type { LeaseBackend, LeaseRecord, StoredLease } from './lease-backend.js'
import { leaseRef, leaseWhere } from './kubernetes-lease-ref.js'

/**
 * The Kubernetes lease of a plan, with the Kubernetes client loaded on first use only:
 * commands that never take or read the lease do not pay for loading it.
 */
export class LazyKubernetesLease implements LeaseBackend {
  readonly where: string
  #backend: Promise<LeaseBackend> | undefined

  constructor(
    private readonly spec: KubernetesLeaseSpec,
    private readonly plan: string,
    private readonly options: KubernetesLeaseOptions = {},
  ) {
    this.where = leaseWhere(leaseRef(spec, plan))
  }

  #open(): Promise<LeaseBackend> {
    this.#backend ??= import('./kubernetes-lease.js').then(({ openKubernetesLease }) => openKubernetesLease(this.spec, this.plan, this.options))
    return this.#backend
  }

  async read(): Promise<StoredLease | undefined> {
    return (await this.#open()).read()
  }

  async create(record: LeaseRecord): Promise<boolean> {
    return (await this.#open()).create(record)
  }

  async replace(version: string, record: LeaseRecord): Promise<boolean> {
    return (await this.#open()).replace(version, record)
  }

  async remove(version: string): Promise<boolean> {
    return (await this.#open()).remove(version)
  }

  async close(): Promise<void> {
    const opened = this.#backend
    this.#backend = undefined
    if (opened) await (await opened.catch(() => undefined))?.close()
  }
}
