import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { apiStatus } from './api-errors.js'
import type { KubeClients } from './kubeconfig.js'

/**
 * Deletes a Job and, through background propagation, its pods (without a propagation
 * policy a Job's pods are orphaned and keep running). A Job already gone is fine.
 */
export async function deleteJob(clients: KubeClients, namespace: string, name: string, call: ApiCallOptions): Promise<void> {
  try {
    await apiCall(`delete Job ${name}`, (options) => clients.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }, options), call)
  } catch (caught) {
    if (apiStatus(caught)?.code !== 404) throw caught
  }
}
