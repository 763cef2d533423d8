import { formatPath } from '../data-path.js'
import { didYouMean } from '../did-you-mean.js'
import { errorAt, warningAt } from '../finding.js'
import type { Finding } from '../finding.js'
import { isPlaceholder, PLACEHOLDERS, placeholdersIn, unclosedPlaceholderIn } from '../template.js'
import { at, entriesAt, isRecord, listAt, stringAt } from './access.js'
import { sqlFindings } from './sql.js'

const ALLOWED = PLACEHOLDERS.map((name) => `{{ ${name} }}`).join(', ')

/** The job: env templates use known placeholders, SQL is one bounded INSERT … SELECT, every cluster has a context for Kubernetes Jobs. */
export function jobFindings(data: unknown): Finding[] {
  const kind = stringAt(data, ['job', 'kind'])
  const findings = envTemplateFindings(data)
  if (kind === 'sql') findings.push(...sqlFindings(data, ['job', 'sql'], 'insert'))
  if (kind === 'sql' && isRecord(at(data, ['job', 'env']))) {
    findings.push(warningAt('unused-env', ['job', 'env'], 'job.env is not used when job.kind is "sql"', { at: 'key', hint: 'SQL jobs get their values as bound parameters' }))
  }
  if (kind === 'kubernetes') findings.push(...missingContexts(data))
  findings.push(...placeholdersInCommand(data))
  return findings
}

/** Only env values are templates: a `{{ … }}` in the command would reach the program as written. */
function placeholdersInCommand(data: unknown): Finding[] {
  return listAt(data, ['job', 'command']).flatMap((arg, index) =>
    typeof arg === 'string' && placeholdersIn(arg).length > 0
      ? [warningAt('placeholder-in-command', ['job', 'command', index], `job.command[${index}] holds a {{ … }} placeholder, which bf does not fill in`, { hint: 'pass the value through job.env and read it from the environment' })]
      : [],
  )
}

function envTemplateFindings(data: unknown): Finding[] {
  const findings: Finding[] = []
  for (const [name, value] of entriesAt(data, ['job', 'env'])) {
    if (typeof value !== 'string') continue
    const path = ['job', 'env', name]
    for (const placeholder of placeholdersIn(value)) {
      if (isPlaceholder(placeholder.name)) continue
      const suggestion = closestPlaceholder(placeholder.name)
      const message = placeholder.name === '' ? `empty placeholder in ${formatPath(path)}` : `unknown placeholder {{ ${placeholder.name} }} in ${formatPath(path)}`
      findings.push(errorAt('unknown-placeholder', path, message, { offsetInValue: placeholder.offset, hint: suggestion ?? `placeholders are ${ALLOWED}` }))
    }
    const unclosed = unclosedPlaceholderIn(value)
    if (unclosed !== undefined) {
      findings.push(errorAt('unknown-placeholder', path, `"{{" without a closing "}}" in ${formatPath(path)}`, { offsetInValue: unclosed, hint: `placeholders are ${ALLOWED}` }))
    }
  }
  return findings
}

function closestPlaceholder(name: string): string | undefined {
  return didYouMean(name, PLACEHOLDERS)?.replace(/"([^"]+)"/, '{{ $1 }}')
}

function missingContexts(data: unknown): Finding[] {
  return entriesAt(data, ['clusters'])
    .filter(([, cluster]) => isRecord(cluster) && cluster.kubernetes === undefined)
    .map(([name]) =>
      errorAt('missing-context', ['clusters', name], `cluster ${JSON.stringify(name)} needs kubernetes.context because job.kind is "kubernetes"`, {
        at: 'key',
        hint: 'the kubeconfig context whose Jobs write to this cluster',
      }),
    )
}
