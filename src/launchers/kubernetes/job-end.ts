import type { V1Job, V1JobCondition } from '@kubernetes/client-node'

/** How a watched Job ended, as far as bf is concerned. */
export type JobEnd =
  | {
      kind: 'finished'
      succeeded: boolean
      /** The condition that decided: `Complete`, `SuccessCriteriaMet`, `Failed`, `FailureTarget`. */
      condition: string
      reason?: string
      message?: string
      job: V1Job
    }
  | { kind: 'deleted' }

/**
 * The end of a Job from its conditions only (`Complete`/`Failed`, or the earlier
 * `SuccessCriteriaMet`/`FailureTarget`, with status "True"); never from the counters.
 */
export function jobEnd(job: V1Job): JobEnd | undefined {
  const conditions = job.status?.conditions ?? []
  const isTrue = (type: string): V1JobCondition | undefined => conditions.find((condition) => condition.type === type && condition.status === 'True')
  const failed = isTrue('Failed') ?? isTrue('FailureTarget')
  const complete = isTrue('Complete') ?? isTrue('SuccessCriteriaMet')
  const decided = failed ?? complete
  if (!decided) return undefined
  return {
    kind: 'finished',
    succeeded: !failed,
    condition: decided.type,
    ...(decided.reason ? { reason: decided.reason } : {}),
    ...(decided.message ? { message: decided.message } : {}),
    job,
  }
}
