import type { StatusBody } from './kube-status.js'
import { failure, success } from './kube-status.js'
import type { KubeObject, KubeStore } from './kube-store.js'
import { clone } from './kube-store.js'

/** An answer of the test server: status code and JSON body. */
export interface Answer {
  code: number
  body: unknown
}

const QUALIFIED = 'leases.coordination.k8s.io'

/**
 * `coordination.k8s.io/v1` Leases as the API server serves them: get, list, create (409
 * AlreadyExists), update (a PUT naming an older resourceVersion is a 409 Conflict), and
 * delete (a 409 Conflict when `preconditions.resourceVersion` no longer holds).
 */
export function serveLease(store: KubeStore, verb: string, namespace: string, name: string | undefined, body: unknown): Answer {
  if (verb === 'list') {
    const items = store.list('leases', namespace).map(({ apiVersion: _apiVersion, kind: _kind, ...item }) => item)
    return { code: 200, body: { kind: 'LeaseList', apiVersion: 'coordination.k8s.io/v1', metadata: { resourceVersion: store.resourceVersion }, items } }
  }
  if (verb === 'create') return createLease(store, namespace, body)
  if (!name) return status(failure(405, `${verb} is not supported on ${QUALIFIED}`))
  const found = store.get('leases', namespace, name)
  if (!found) return status(failure(404, `${QUALIFIED} "${name}" not found`, { name, group: 'coordination.k8s.io', kind: 'leases' }))
  if (verb === 'get') return { code: 200, body: found }
  if (verb === 'update') return updateLease(store, found, body)
  if (verb === 'delete') {
    const wanted = (body as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions?.resourceVersion
    if (wanted !== undefined && wanted !== found.metadata.resourceVersion) {
      return status(
        failure(409, `Precondition failed: ResourceVersion in precondition: ${wanted}, ResourceVersion in object meta: ${found.metadata.resourceVersion}`, { name, group: 'coordination.k8s.io', kind: 'leases' }, 'Conflict'),
      )
    }
    store.remove('leases', namespace, name)
    return status(success({ name, group: 'coordination.k8s.io', kind: 'leases', uid: found.metadata.uid }))
  }
  return status(failure(405, `${verb} is not supported on ${QUALIFIED}`))
}

function createLease(store: KubeStore, namespace: string, body: unknown): Answer {
  const lease = leaseBody(body, namespace)
  if ('code' in lease) return lease
  const { name } = lease.metadata
  if (store.get('leases', namespace, name)) return status(failure(409, `${QUALIFIED} "${name}" already exists`, { name, group: 'coordination.k8s.io', kind: 'leases' }))
  const { resourceVersion: _ignored, ...metadata } = lease.metadata
  return { code: 201, body: store.create('leases', { ...lease, metadata: { ...metadata, name, namespace } }) }
}

function updateLease(store: KubeStore, found: KubeObject, body: unknown): Answer {
  const lease = leaseBody(body, found.metadata.namespace)
  if ('code' in lease) return lease
  const { name, namespace } = found.metadata
  if (lease.metadata.name !== name) return status(failure(400, `the name of the object (${lease.metadata.name}) does not match the name on the URL (${name})`))
  const wanted = lease.metadata.resourceVersion
  if (wanted !== undefined && wanted !== found.metadata.resourceVersion) {
    return status(
      failure(
        409,
        `Operation cannot be fulfilled on ${QUALIFIED} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: 'coordination.k8s.io', kind: 'leases' },
        'Conflict',
      ),
    )
  }
  const updated = store.update('leases', namespace, name, (stored) => {
    // The body is already a copy of the request's.
    stored.spec = lease.spec
    stored.metadata.annotations = lease.metadata.annotations
    stored.metadata.labels = lease.metadata.labels
  })
  return { code: 200, body: updated }
}

/** The request's Lease, or the 400 a real server answers for a body that is not one. */
function leaseBody(body: unknown, namespace: string): (KubeObject & { metadata: { resourceVersion?: string } }) | Answer {
  const lease = body as Partial<KubeObject> | undefined
  if (!lease || typeof lease !== 'object') return status(failure(400, 'the body of the request was in an unknown format'))
  if (lease.kind !== 'Lease' || lease.apiVersion !== 'coordination.k8s.io/v1') {
    return status(failure(400, `the API version in the data (${lease.apiVersion}) does not match the expected API version (coordination.k8s.io/v1)`))
  }
  if (!lease.metadata?.name) return status(failure(422, 'Lease.coordination.k8s.io "" is invalid: metadata.name: Required value: name or generateName is required', undefined, 'Invalid'))
  if (lease.metadata.namespace && lease.metadata.namespace !== namespace) {
    return status(failure(400, 'the namespace of the provided object does not match the namespace sent on the request'))
  }
  return clone(lease) as KubeObject
}

function status(body: StatusBody): Answer {
  return { code: body.code, body }
}
