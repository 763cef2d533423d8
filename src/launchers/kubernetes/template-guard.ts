import type { V1CronJob } from '@kubernetes/client-node'
import type { JsonValue } from '../../state/model.js'
import type { JobTemplate } from '../launcher.js'
import { cronJobWithTemplate, templateChanges, templateOf } from './job-template.js'
import { LaunchFailure } from './start-job.js'

/**
 * The job templates one apply makes Jobs from: each planned template is checked against
 * the cluster once, before its first Job, and recorded with the Jobs made from it.
 */
export class TemplateGuard {
  private readonly checked = new Map<string, Promise<V1CronJob>>()
  private readonly recorded = new Set<string>()

  /**
   * The CronJob to make Jobs from: the live one (`read`, once per `key` and template)
   * with the planned template, or a LaunchFailure naming what changed when the live
   * template differs from it. A changed template stays refused; a failed read is tried again.
   */
  cronJobFor(key: string, planned: JobTemplate, read: () => Promise<V1CronJob>): Promise<V1CronJob> {
    const checkKey = `${key}\n${planned.fingerprint}`
    let checked = this.checked.get(checkKey)
    if (!checked) {
      checked = read().then((live) => {
        const now = templateOf(live)
        if (now.fingerprint !== planned.fingerprint) {
          const changes = templateChanges(planned.content, now.content)
          throw new LaunchFailure(
            `the job template of ${now.source} changed since the plan was made (${changes.join('; ') || 'fingerprint differs'}): bf makes no Job from a template nobody reviewed — run bf plan again`,
          )
        }
        return cronJobWithTemplate(live, planned)
      })
      checked.catch((error: unknown) => error instanceof LaunchFailure || this.checked.delete(checkKey))
      this.checked.set(checkKey, checked)
    }
    return checked
  }

  /**
   * What a Job's outputs record of its template: `template` (the fingerprint) always, and
   * `jobTemplate` (the content) on the first Job of each cluster and template in this
   * apply, so the next plan can show what changed. A resumed Job keeps what its first run recorded.
   */
  outputs(clusterKey: string, used: JobTemplate | undefined, previous: Record<string, JsonValue> | undefined): Record<string, JsonValue> {
    if (!used) {
      const kept: Record<string, JsonValue> = {}
      if (previous?.template !== undefined) kept.template = previous.template
      if (previous?.jobTemplate !== undefined) kept.jobTemplate = previous.jobTemplate
      return kept
    }
    const key = `${clusterKey}\n${used.fingerprint}`
    if (this.recorded.has(key)) return { template: used.fingerprint }
    this.recorded.add(key)
    return { template: used.fingerprint, jobTemplate: used.content }
  }

  clear(): void {
    this.checked.clear()
  }
}
