import type { JobRequest } from '../../src/launchers/launcher.js'

/** The job request of unit `index` on the cluster of `kubeconfig` (context `test`). */
export function unitRequest(kubeconfig: string, index: number, signal?: AbortSignal): JobRequest
