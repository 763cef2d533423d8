import type { V1Job, V1Pod } from '@kubernetes/client-node'
import { podLine } from './pod-diagnostics.js'

/** Turns Job and pod updates into progress lines, only when something changed. */
export class JobProgress {
  private lastJob = ''
  private lastPods = ''

  constructor(
    private readonly jobRef: string,
    private readonly note: (message: string) => void,
  ) {}

  job(job: V1Job): void {
    const status = job.status ?? {}
    const line = `Job ${this.jobRef}: ${status.active ?? 0} active, ${status.succeeded ?? 0} succeeded, ${status.failed ?? 0} failed`
    if (line !== this.lastJob) this.note(line)
    this.lastJob = line
  }

  pods(pods: V1Pod[]): void {
    const line = pods.length === 0 ? '' : `pods: ${pods.map(podLine).join(', ')}`
    if (line && line !== this.lastPods) this.note(line)
    this.lastPods = line
  }
}
