import type { JsonValue } from '../../state/model.js'
import { formatDuration } from '../../plan/duration.js'
import type { JobOutcome, JobRequest } from '../launcher.js'
import type { ApiCallOptions } from './api-call.js'
import { describeApiError } from './api-errors.js'
import type { AwaitResult } from './await-job.js'
import { deleteJob } from './delete-job.js'
import type { KubeClients } from './kubeconfig.js'
import { collectLogTail, writeLogFile } from './logs.js'
import { listJobPods } from './monitor-pods.js'

/** A run whose wait is over, and what its outcome needs. */
export interface FinishedRun {
  request: Pick<JobRequest, 'logDir' | 'job'>
  clients: KubeClients
  namespace: string
  jobName: string
  jobUid: string
  /** Outputs so far (`jobName`, `jobUid`, `namespace`); completed here. */
  outputs: Record<string, JsonValue>
  /** For reading logs and deleting: must work even after the run's own signal fired. */
  cleanup: ApiCallOptions
  podStuckGraceMs: number
  logTailLines: number
}

/**
 * The attempt's outcome from how the wait ended. Failures carry the pods' log tails (also
 * stored as `<logDir>/<jobName>.log`); a Job stuck or over time is deleted, so it cannot
 * start writing later beside the next attempt. An interruption rethrows its reason.
 */
export async function outcomeOf(result: AwaitResult, run: FinishedRun): Promise<JobOutcome> {
  const ref = `${run.namespace}/${run.jobName}`
  switch (result.kind) {
    case 'end': {
      const { end } = result
      if (end.kind === 'deleted') return failure(run, `Job ${ref} was deleted while bf waited for it`, false)
      run.outputs.condition = end.condition
      if (end.reason) run.outputs.reason = end.reason
      // No pod lookup for a success: its logs are not kept, and at scale it would double the requests.
      if (end.succeeded) return { ok: true, outputs: run.outputs }
      const why = [end.reason, end.message].filter(Boolean).join(': ')
      return failure(run, `Job ${ref} failed${why ? ` (${why})` : ''}`, false)
    }
    case 'stuck': {
      const { problem } = result
      const grace = formatDuration(run.podStuckGraceMs)
      return failure(run, `Job ${ref}: pod ${problem.pod} stuck in ${problem.reason} for more than ${grace} (${problem.message}); bf deleted the Job`, true)
    }
    case 'timeout': {
      const limit = run.request.job.timeoutMs === undefined ? 'its time limit' : formatDuration(run.request.job.timeoutMs)
      return failure(run, `Job ${ref} did not finish within ${limit} (job.timeout); bf deleted it`, true)
    }
    case 'interrupted':
      throw result.reason
    case 'lost':
      return { ...(await failure(run, `bf lost track of Job ${ref}: ${describeApiError(result.error)} — it may still be running; the next apply finds it again`, false)), unresolved: true }
  }
}

async function failure(run: FinishedRun, message: string, removeJob: boolean): Promise<JobOutcome> {
  let unlisted: string | undefined
  const pods = await listJobPods(run.clients.core, run.namespace, run.jobUid, run.cleanup).catch((caught: unknown) => {
    unlisted = `(logs unavailable: cannot list the Job's pods: ${describeApiError(caught)})`
    return []
  })
  run.outputs.pods = pods.map((pod) => pod.metadata?.name ?? '?')
  const logTail =
    unlisted ??
    (pods.length === 0
      ? '(no pods left to read logs from)'
      : await collectLogTail(run.clients.core, run.namespace, pods, run.logTailLines, run.cleanup).catch(
          (caught: unknown) => `(logs unavailable: ${describeApiError(caught)})`,
        ))
  run.outputs.logFile = await writeLogFile(run.request.logDir, run.jobName, logTail)
  let error = message
  if (removeJob) {
    // Logs first: background deletion takes the pods and their logs with it.
    await deleteJob(run.clients, run.namespace, run.jobName, run.cleanup).catch((caught: unknown) => {
      error = `${message}, but deleting it failed: ${describeApiError(caught)}`
    })
  }
  return { ok: false, outputs: run.outputs, error, logTail }
}
