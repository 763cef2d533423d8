import type { Millis } from './model.js'
import { formatTimestamp } from './timestamp.js'

/** The placeholders a `job.env` value may use. */
export const PLACEHOLDERS = ['customer', 'cluster', 'batch.start', 'batch.end', 'batch.date', 'plan.name'] as const

export type Placeholder = (typeof PLACEHOLDERS)[number]

/** What the placeholders of one unit stand for. */
export interface TemplateVars {
  customer: string
  cluster: string
  batchStart: Millis
  batchEnd: Millis
  /** `YYYY-MM-DD` of the batch's start. */
  batchDate: string
  planName: string
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g

/** Every `{{ … }}` in `template`: the name inside (trimmed) and the offset of its `{{`. */
export function placeholdersIn(template: string): { name: string; offset: number }[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => ({ name: match[1]!, offset: match.index }))
}

/** Offset of a `{{` that no `}}` closes, if any. */
export function unclosedPlaceholderIn(template: string): number | undefined {
  const rest = template.replace(PLACEHOLDER, (match) => ' '.repeat(match.length))
  const at = rest.indexOf('{{')
  return at < 0 ? undefined : at
}

export function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name)
}

/**
 * `template` with its placeholders filled in; `{{ batch.start }}` and `{{ batch.end }}`
 * render as `2026-01-15T00:00:00Z`. Plans are checked when loaded, so an unknown
 * placeholder here is a bug, not a user mistake.
 */
export function renderTemplate(template: string, vars: TemplateVars): string {
  const values: Record<Placeholder, string> = {
    customer: vars.customer,
    cluster: vars.cluster,
    'batch.start': formatTimestamp(vars.batchStart),
    'batch.end': formatTimestamp(vars.batchEnd),
    'batch.date': vars.batchDate,
    'plan.name': vars.planName,
  }
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (!isPlaceholder(name)) throw new Error(`unknown placeholder {{ ${name} }} in a template that passed validation`)
    return values[name]
  })
}
