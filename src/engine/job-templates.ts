import { errorMessage } from '../common/error-text.js'
import { UserError } from '../errors.js'
import type { JobTemplate } from '../launchers/launcher.js'
import { joinAddress } from '../plan/address.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import type { PlanSpec } from '../plan/model.js'
import type { JsonValue, StateSnapshot, StepRecord } from '../state/model.js'
import type { EngineDeps } from './deps.js'
import type { ComputedPlan, PlannedJobTemplate } from './plan-model.js'
import { computePlan } from './planner.js'
import type { PlanOptions } from './planner.js'
import { mayTouch } from './selection.js'
import { jsonChanges } from '../common/json-changes.js'

/** Left off the paths of template changes: a CronJob's jobTemplate nests the pod spec there. */
const TEMPLATE_PREFIX = 'spec.template.spec.'

type ReadTemplate = { cluster: string; template: JobTemplate } | { cluster: string; error: string }

/**
 * Plans with each cluster's job template read once (for launchers whose jobs are made
 * from one, like Kubernetes'): the plan carries every template and its fingerprint, says
 * when one changed since the state's last apply and what changed, and with
 * `onTemplateChange: rerun` re-runs the finished units it made. Other plans are planned as they are.
 */
export async function planWithJobTemplates(spec: PlanSpec, deps: EngineDeps, options: PlanOptions, stateSnapshot?: StateSnapshot): Promise<ComputedPlan> {
  const launcher = deps.launcher(spec.job.kind)
  const readTemplate = launcher.template?.bind(launcher)
  if (!readTemplate) return computePlan(spec, deps, options, stateSnapshot)
  const clusters = spec.clusters.filter((cluster) => mayTouch(joinAddress(cluster.name), options.selection))
  const read: ReadTemplate[] = await Promise.all(
    clusters.map((cluster) =>
      readTemplate(cluster, spec.job).then(
        (template): ReadTemplate => (template ? { cluster: cluster.name, template } : { cluster: cluster.name, error: 'no template' }),
        (error: unknown): ReadTemplate => ({ cluster: cluster.name, error: errorMessage(error) }),
      ),
    ),
  )
  const fingerprints = new Map(read.flatMap((entry) => ('template' in entry ? [[entry.cluster, entry.template.fingerprint] as const] : [])))
  const history = new AppliedTemplates()
  const plan = await computePlan(spec, deps, { ...options, jobTemplates: fingerprints, observeSteps: (steps) => history.observe(steps) }, stateSnapshot)
  const jobTemplates: PlannedJobTemplate[] = []
  const warnings: Diagnostic[] = []
  for (const entry of read) {
    if ('error' in entry) {
      // With rerun the template decides which units run: a plan without it cannot be applied.
      const rerun = spec.job.kubernetes?.onTemplateChange === 'rerun'
      const consequence = rerun ? 'with onTemplateChange: rerun bf cannot tell which finished units to run again' : "apply reads it before the cluster's first job"
      warnings.push({ severity: rerun ? 'error' : 'warning', code: 'job-template', address: entry.cluster, message: `cannot read the job template: ${entry.error}; ${consequence}` })
      continue
    }
    const planned = plannedTemplate(entry.cluster, entry.template, history)
    jobTemplates.push(planned)
    if (planned.applied !== undefined && planned.applied !== planned.fingerprint) warnings.push(changedWarning(spec, planned))
  }
  return { ...plan, warnings: [...plan.warnings, ...warnings], jobTemplates }
}

/**
 * A saved plan applies only while every cluster still holds the job template it was
 * saved with; throws a UserError naming the template and what changed.
 */
export async function checkSavedJobTemplates(plan: ComputedPlan, spec: PlanSpec, deps: EngineDeps): Promise<void> {
  const launcher = deps.launcher(spec.job.kind)
  if (!launcher.template || !plan.jobTemplates) return
  const problems: string[] = []
  for (const saved of plan.jobTemplates) {
    const cluster = spec.clusters.find((candidate) => candidate.name === saved.cluster)
    if (!cluster) continue
    const now = await launcher.template(cluster, spec.job)
    if (now && now.fingerprint !== saved.fingerprint) {
      const changes = jsonChanges(saved.content, now.content, TEMPLATE_PREFIX)
      problems.push(`the job template of ${now.source} on ${saved.cluster} changed since the plan was saved (${changes.join('; ') || 'fingerprint differs'})`)
    }
  }
  if (problems.length > 0) throw new UserError(`Saved plan is stale: ${problems.join('; ')}. Run bf plan again.`)
}

function plannedTemplate(cluster: string, template: JobTemplate, history: AppliedTemplates): PlannedJobTemplate {
  const planned: PlannedJobTemplate = { cluster, source: template.source, fingerprint: template.fingerprint, content: template.content }
  const applied = history.latest(cluster)
  if (!applied) return planned
  planned.applied = applied.fingerprint
  if (applied.fingerprint !== template.fingerprint && applied.content !== undefined) planned.changes = jsonChanges(applied.content, template.content, TEMPLATE_PREFIX)
  return planned
}

function changedWarning(spec: PlanSpec, planned: PlannedJobTemplate): Diagnostic {
  const what = planned.changes?.length ? planned.changes.join('; ') : `fingerprint ${short(planned.applied ?? '')} → ${short(planned.fingerprint)}`
  const rerun = spec.job.kubernetes?.onTemplateChange === 'rerun'
  const consequence = rerun
    ? 'finished units run again with it (job.kubernetes.onTemplateChange: rerun)'
    : 'finished units keep what the old template made; new jobs use the new one (set job.kubernetes.onTemplateChange: rerun to run them again)'
  return { severity: 'warning', code: 'job-template-changed', address: planned.cluster, message: `the job template of ${planned.source} changed since the last apply: ${what}; ${consequence}` }
}

function short(fingerprint: string): string {
  return fingerprint.replace(/^sha256:/, '').slice(0, 12)
}

/**
 * The template the last apply used on each cluster, from what its job steps recorded:
 * `template` (a fingerprint) on every job, `jobTemplate` (the content) on each apply's
 * first job of a cluster.
 */
class AppliedTemplates {
  private readonly newest = new Map<string, { at: string; fingerprint: string }>()
  private readonly contents = new Map<string, JsonValue>()

  observe(steps: ReadonlyMap<string, StepRecord>): void {
    for (const record of steps.values()) {
      const fingerprint = record.kind === 'job' ? record.outputs?.template : undefined
      if (typeof fingerprint !== 'string') continue
      const cluster = record.address.slice(0, record.address.indexOf('/'))
      const known = this.newest.get(cluster)
      if (!known || known.at < record.startedAt) this.newest.set(cluster, { at: record.startedAt, fingerprint })
      const content = record.outputs?.jobTemplate
      if (content !== undefined && !this.contents.has(fingerprint)) this.contents.set(fingerprint, content)
    }
  }

  latest(cluster: string): { fingerprint: string; content?: JsonValue } | undefined {
    const known = this.newest.get(cluster)
    if (!known) return undefined
    const content = this.contents.get(known.fingerprint)
    return content === undefined ? { fingerprint: known.fingerprint } : { fingerprint: known.fingerprint, content }
  }
}
