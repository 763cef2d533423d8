import { CoordinationV1Api } from '@kubernetes/client-node'
import type { ConfigurationOptions, V1Lease } from '@kubernetes/client-node'
import type { RetryPolicy } from '../common/retry-policy.js'
import { backoffDelay } from '../common/retry-policy.js'
import { sleep } from '../common/sleep.js'
import { UserError } from '../errors.js'
import { apiCall } from '../launchers/kubernetes/api-call.js'
import type { ApiCallOptions } from '../launchers/kubernetes/api-call.js'
import { apiStatus, describeApiError, isTransientApiError } from '../launchers/kubernetes/api-errors.js'
import { loadKubeConfig } from '../launchers/kubernetes/kubeconfig.js'
import { DEFAULT_RETRY_POLICY } from '../launchers/kubernetes/retry.js'
import type { KubernetesLeaseSpec } from '../plan/model.js'
import type { LeaseBackend, LeaseRecord, StoredLease } from './lease-backend.js'
import { leaseObject, storedLease } from './kubernetes-lease-object.js'
import { leaseRef, leaseWhere } from './kubernetes-lease-ref.js'
import type { LeaseRef } from './kubernetes-lease-ref.js'

export interface KubernetesLeaseOptions {
  retry?: Partial<RetryPolicy>
  /** A request with no answer within this is cut (and its outcome read back): keep it well under the lease. */
  requestTimeoutMs?: number
}

type Verb = 'get' | 'create' | 'update' | 'delete'

/** A write's outcome as read back after a request that got no clear answer. */
type ReadBack = 'done' | 'not-done' | 'lost'

/**
 * A plan's lease as a `coordination.k8s.io/v1` Lease, changed only with the API's
 * optimistic concurrency: a create fails when the Lease exists, a replace (PUT) and a
 * delete name the `resourceVersion` they read. A write whose answer is lost (a dropped
 * connection, a timeout, a 5xx) is not simply sent again, since it may have been applied:
 * the Lease is read back to learn whether it was.
 */
export class KubernetesLeaseBackend implements LeaseBackend {
  readonly where: string
  readonly #closing = new AbortController()
  readonly #call: ApiCallOptions

  constructor(
    private readonly api: CoordinationV1Api,
    private readonly ref: LeaseRef,
    options: KubernetesLeaseOptions = {},
  ) {
    this.where = leaseWhere(ref)
    this.#call = { signal: this.#closing.signal, retry: { ...DEFAULT_RETRY_POLICY, ...options.retry }, requestTimeoutMs: options.requestTimeoutMs ?? 10_000 }
  }

  async read(): Promise<StoredLease | undefined> {
    const { name, namespace } = this.ref
    let lease: V1Lease
    try {
      lease = await apiCall(`read ${this.where}`, (options) => this.api.readNamespacedLease({ name, namespace }, options), this.#call)
    } catch (error) {
      if (apiStatus(error)?.code === 404) return undefined
      throw this.#failure('get', error)
    }
    return storedLease(this.ref, lease)
  }

  create(record: LeaseRecord): Promise<boolean> {
    const { namespace } = this.ref
    return this.#write(
      'create',
      (options) => this.api.createNamespacedLease({ namespace, body: leaseObject(this.ref, record) }, options),
      (stored) => (stored === undefined ? 'not-done' : sameRecord(stored.record, record) ? 'done' : 'lost'),
    )
  }

  replace(version: string, record: LeaseRecord): Promise<boolean> {
    const { name, namespace } = this.ref
    return this.#write(
      'update',
      (options) => this.api.replaceNamespacedLease({ name, namespace, body: leaseObject(this.ref, record, version) }, options),
      (stored) => (stored?.version === version ? 'not-done' : stored !== undefined && sameRecord(stored.record, record) ? 'done' : 'lost'),
    )
  }

  remove(version: string): Promise<boolean> {
    const { name, namespace } = this.ref
    return this.#write(
      'delete',
      (options) => this.api.deleteNamespacedLease({ name, namespace, body: { preconditions: { resourceVersion: version } } }, options),
      // Gone: by this delete, or by another after it: either way the lease at `version` is no more.
      (stored) => (stored === undefined ? 'done' : stored.version === version ? 'not-done' : 'lost'),
    )
  }

  async close(): Promise<void> {
    this.#closing.abort()
  }

  /** One conditional write: true when it was applied, false when the Lease changed (409, or 404 for an update or delete). */
  async #write(verb: Verb, send: (options: ConfigurationOptions) => Promise<unknown>, readBack: (stored: StoredLease | undefined) => ReadBack): Promise<boolean> {
    const policy = this.#call.retry
    for (let attempt = 1; ; attempt++) {
      try {
        // One try: the retries below first learn whether the last one was applied.
        await apiCall(`${verb} ${this.where}`, send, { ...this.#call, retry: { ...policy, attempts: 1 } })
        return true
      } catch (error) {
        this.#closing.signal.throwIfAborted()
        const code = apiStatus(error)?.code
        if (code === 409 || (code === 404 && verb !== 'create')) return false
        if (!isTransientApiError(error) || attempt >= policy.attempts) throw this.#failure(verb, error)
      }
      const outcome = readBack(await this.read())
      if (outcome !== 'not-done') return outcome === 'done'
      await sleep(backoffDelay(policy, attempt), this.#closing.signal)
    }
  }

  #failure(verb: Verb, error: unknown): Error {
    const { namespace } = this.ref
    if (apiStatus(error)?.code === 403) {
      return new UserError(
        `forbidden: cannot ${verb} the ${this.where}: bf's lock needs get, create, update and delete on leases (coordination.k8s.io) in namespace ${namespace}`,
      )
    }
    if (error instanceof UserError) return error
    return new Error(`cannot ${verb} the ${this.where}: ${describeApiError(error)}`, { cause: error })
  }
}

/** Whether the stored lease is this record (the fields a write sets; times compared as instants). */
function sameRecord(stored: LeaseRecord, record: LeaseRecord): boolean {
  return stored.id === record.id && stored.epoch === record.epoch && Date.parse(stored.expires) === Date.parse(record.expires)
}

/** The Lease of `plan` where `spec` says, through the kubeconfig context it names (as the Kubernetes launcher loads it). */
export function openKubernetesLease(spec: KubernetesLeaseSpec, plan: string, options: KubernetesLeaseOptions = {}): KubernetesLeaseBackend {
  const kubeConfig = loadKubeConfig(spec)
  return new KubernetesLeaseBackend(kubeConfig.makeApiClient(CoordinationV1Api), leaseRef(spec, plan), options)
}
