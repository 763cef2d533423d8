import type { KubeObject } from './kube-store.js'
import { clone } from './kube-store.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** What the API server refuses in a new Job, as `[field, message]`. */
export function validateJob(job: KubeObject): Array<[string, string]> {
  const problems: Array<[string, string]> = []
  const name = job.metadata?.name ?? ''
  if (!name) problems.push(['metadata.name', 'Required value: name or generateName is required'])
  else if (name.length > 63 || !DNS_LABEL.test(name)) {
    problems.push(['metadata.name', `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character, at most 63 characters`])
  }
  for (const [key, value] of Object.entries(job.metadata?.labels ?? {})) {
    if (value.length > 63 || !LABEL_VALUE.test(value)) problems.push([`metadata.labels`, `Invalid value: "${value}" for ${key}: a valid label must be 63 characters or less`])
  }
  const podSpec = job.spec?.template?.spec
  if (!podSpec?.containers?.length) problems.push(['spec.template.spec.containers', 'Required value'])
  if (!['Never', 'OnFailure'].includes(podSpec?.restartPolicy)) {
    problems.push(['spec.template.spec.restartPolicy', `Unsupported value: "${podSpec?.restartPolicy ?? ''}": supported values: "OnFailure", "Never"`])
  }
  return problems
}

/** The defaults the API server fills into a new Job. */
export function withJobDefaults<T extends KubeObject | Omit<KubeObject, 'metadata'>>(job: T): T {
  const copy = clone(job)
  copy.spec = { backoffLimit: 6, completions: 1, parallelism: 1, completionMode: 'NonIndexed', suspend: false, ...copy.spec }
  copy.status ??= {}
  return copy
}
