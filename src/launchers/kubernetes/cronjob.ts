import type { V1CronJob } from '@kubernetes/client-node'
import { UserError } from '../../errors.js'
import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { apiStatus, describeApiError, forbiddenMessage } from './api-errors.js'
import type { KubeClients } from './kubeconfig.js'

/** A CronJob bf cannot read; `code` is the preflight finding's code. */
export class CronJobUnreadable extends UserError {
  constructor(
    message: string,
    readonly code: 'cronjob-not-found' | 'forbidden' | 'kube-api',
  ) {
    super(message)
    this.name = 'CronJobUnreadable'
  }
}

/** Reads a CronJob; throws CronJobUnreadable naming the CronJob and context when it cannot. */
export async function readCronJob(clients: KubeClients, namespace: string, name: string, call: ApiCallOptions): Promise<V1CronJob> {
  try {
    return await apiCall(`read CronJob ${namespace}/${name}`, (options) => clients.batch.readNamespacedCronJob({ name, namespace }, options), call)
  } catch (caught) {
    call.signal?.throwIfAborted()
    const code = apiStatus(caught)?.code
    if (code === 404) throw new CronJobUnreadable(`CronJob ${namespace}/${name} not found in context ${clients.context}`, 'cronjob-not-found')
    if (code === 403) throw new CronJobUnreadable(forbiddenMessage('get', 'cronjobs', namespace), 'forbidden')
    throw new CronJobUnreadable(`cannot read CronJob ${namespace}/${name} in context ${clients.context}: ${describeApiError(caught)}`, 'kube-api')
  }
}
