import type { V1Pod } from '@kubernetes/client-node'

/** Why a pod cannot make progress on its own. */
export interface PodProblem {
  pod: string
  /** `ImagePullBackOff`, `Unschedulable`, … */
  reason: string
  message: string
}

/** Waiting reasons that do not clear without someone fixing the image, a secret or a config map. */
const STUCK_WAITING_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError'])

/** The problems a pod shows right now (a Job never fails on these by itself). */
export function podProblems(pod: V1Pod): PodProblem[] {
  const name = pod.metadata?.name ?? '?'
  const problems: PodProblem[] = []
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled')
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    problems.push({ pod: name, reason: 'Unschedulable', message: scheduled.message ?? '' })
  }
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
  for (const status of statuses) {
    const waiting = status.state?.waiting
    if (waiting?.reason && STUCK_WAITING_REASONS.has(waiting.reason)) {
      problems.push({ pod: name, reason: waiting.reason, message: `container ${status.name}: ${waiting.message ?? waiting.reason}` })
    }
  }
  return problems
}

/**
 * Remembers since when each pod has shown each problem and reports the first one held
 * longer than the grace period. Image pulls back off and retry, so a short blip is normal.
 */
export class StuckPodTracker {
  private readonly firstSeen = new Map<string, number>()

  constructor(
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  observe(pods: V1Pod[]): PodProblem | undefined {
    const now = this.now()
    const current = new Map<string, PodProblem>()
    for (const pod of pods) {
      // Kubelet alternates ErrImagePull and ImagePullBackOff: one clock for both.
      for (const problem of podProblems(pod)) current.set(`${problem.pod}\n${problemFamily(problem.reason)}`, problem)
    }
    for (const key of this.firstSeen.keys()) if (!current.has(key)) this.firstSeen.delete(key)
    for (const [key, problem] of current) {
      const since = this.firstSeen.get(key) ?? now
      this.firstSeen.set(key, since)
      if (now - since >= this.graceMs) return problem
    }
    return undefined
  }
}

/** `pod (phase)` for progress lines and outputs. */
/** `name (Pending: ImagePullBackOff)`: the pod's phase and, while a container waits, why. */
export function podLine(pod: V1Pod): string {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
  const waiting = statuses.find((status) => status.state?.waiting?.reason)?.state?.waiting?.reason
  return `${pod.metadata?.name ?? '?'} (${pod.status?.phase ?? 'Unknown'}${waiting ? `: ${waiting}` : ''})`
}

function problemFamily(reason: string): string {
  return reason === 'ErrImagePull' ? 'ImagePullBackOff' : reason
}
