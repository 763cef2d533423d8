import { createHash } from 'node:crypto'
import type { V1CronJob, V1JobTemplateSpec } from '@kubernetes/client-node'
import type { JsonValue } from '../../state/model.js'
import { jsonChanges } from '../../common/json-changes.js'
import type { JobTemplate } from '../launcher.js'

/** The CronJob's jobTemplate as a plan holds it, with its fingerprint. */
export function templateOf(cronJob: V1CronJob): JobTemplate {
  const content = plainJson(cronJob.spec?.jobTemplate ?? {})
  return { source: `CronJob ${cronJob.metadata?.namespace ?? '?'}/${cronJob.metadata?.name ?? '?'}`, fingerprint: templateFingerprint(content), content }
}

/** `sha256:` of the template's JSON with its keys sorted: the same template, the same fingerprint. */
export function templateFingerprint(content: JsonValue): string {
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`
}

/** What differs between two jobTemplates, a `containers[cron].image: labeler:1 → labeler:2` line each. */
export function templateChanges(before: JsonValue, after: JsonValue): string[] {
  return jsonChanges(before, after, 'spec.template.spec.')
}

/**
 * The CronJob a planned template stands for: the live CronJob's identity (name, namespace
 * and uid, for the owner reference) with the planned jobTemplate.
 */
export function cronJobWithTemplate(live: V1CronJob, template: JobTemplate): V1CronJob {
  return { ...live, spec: { ...live.spec, schedule: live.spec?.schedule ?? '', jobTemplate: plainJson(template.content) as V1JobTemplateSpec } }
}

function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

function plainJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue
}
