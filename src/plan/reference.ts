import type { JsonSchema } from './json-schema.js'
import { inlineRefs, plural } from './json-schema.js'
import { planSchema } from './schema.js'

/** One key of the plan language, as the reference lists it. */
export interface ReferenceRow {
  /** `window.start`, `clusters.<name>.customers[]`, `verify.checks[].expect.between`. */
  path: string
  type: string
  required: boolean
  default: string
  description: string
}

/** Every key of the plan language, in schema order, from the plan schema. */
export function referenceRows(schema: JsonSchema = planSchema): ReferenceRow[] {
  const rows: ReferenceRow[] = []
  const walk = (node: JsonSchema, prefix: string) => {
    for (const object of objectShapes(node)) {
      for (const [key, property] of Object.entries(object.properties ?? {})) {
        const path = prefix ? `${prefix}.${key}` : key
        rows.push({ path, type: typeLabel(property), required: (object.required ?? []).includes(key), default: defaultOf(property), description: property.description ?? '' })
        walk(property, path)
      }
    }
    const entry = node.additionalProperties
    if (typeof entry === 'object' && objectShapes(entry).length > 0) {
      const path = `${prefix}.<name>`
      rows.push({ path, type: typeLabel(entry), required: false, default: '', description: entry.description ?? '' })
      walk(entry, path)
    }
    for (const list of [node, ...(node.oneOf ?? [])]) if (list.items && objectShapes(list.items).length > 0) walk(list.items, `${prefix}[]`)
  }
  walk(inlineRefs(schema), '')
  return rows
}

/** The object schemas a value may take: itself, or its object branches. */
function objectShapes(schema: JsonSchema): JsonSchema[] {
  return [schema, ...(schema.oneOf ?? [])].filter((s) => s.properties !== undefined)
}

export function typeLabel(schema: JsonSchema): string {
  if (schema.title) return schema.title
  if ('const' in schema) return JSON.stringify(schema.const)
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ')
  if (schema.oneOf) return schema.oneOf.map(typeLabel).join(' | ')
  if (Array.isArray(schema.type)) return schema.type.join(' | ')
  if (schema.type === 'array' && schema.items) return `list of ${plural(typeLabel(schema.items))}`
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
    return `map of ${schema.propertyNames?.title ?? 'name'} → ${typeLabel(schema.additionalProperties)}`
  }
  if (schema.type === 'object') return 'mapping'
  return schema.type ?? 'any'
}

/** The `default` annotation as code, or the "Defaults to …" sentence of a default that depends on other keys. */
function defaultOf(schema: JsonSchema): string {
  if (schema.default !== undefined) return `\`${JSON.stringify(schema.default)}\``
  const sentence = /Defaults to (.+?)\.(?:\s|$)/.exec(schema.description ?? '')
  return sentence ? sentence[1]! : ''
}

/** `docs/plan-reference.md`: a table of every key. */
export function planReferenceMarkdown(schema: JsonSchema = planSchema): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const code = (text: string) => (text ? `\`${text}\`` : '')
  const lines = [
    '# Plan file reference',
    '',
    `${schema.description ?? ''} Every key of the plan language, version 1. Unknown keys are errors.`,
    '',
    'This page is generated from `schemas/plan.schema.json`; `bf validate PLAN` checks a plan against it and against the rules below the table.',
    '',
    '| key | type | required | default | description |',
    '| --- | --- | --- | --- | --- |',
    ...referenceRows(schema).map((row) =>
      `| ${code(row.path)} | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(row.default)} | ${cell(row.description)} |`,
    ),
    '',
    '## Rules beyond the table',
    '',
    ...RULES.map((rule) => `- ${rule}`),
    '',
  ]
  return lines.join('\n')
}

/** What `bf` checks after the schema; kept beside the table so the reference is complete. */
const RULES = [
  'Every window starts before it ends, and every timestamp names a real instant. A customer\'s window takes each missing bound from its cluster\'s window, then from the plan\'s.',
  '`window.batch` is a whole number of hours. Batches of every window are cut on the grid of the plan\'s `window.start`, so one day has the same unit address everywhere.',
  'A customer appears at most once per cluster. `rollout.canary` and `verify.checks[].customers` name customers listed in some cluster; while a cluster discovers its customers, a name it does not list is checked when bf plans (a warning when no cluster found it).',
  '`customers.from: expected` needs the `expected` section. `customers.query` is one `SELECT` (or `WITH … SELECT`) returning one String column; it may use only `{start:DateTime}`, `{end:DateTime}` (the cluster\'s window) and `{cluster:String}`, and no `${env:…}`.',
  '`job.kind` names its section: `kubernetes` needs `job.kubernetes` and a `kubernetes.context` on every cluster, `sql` needs `job.sql`, `command` needs `job.command`; the other sections are errors.',
  '`job.sql` is one `INSERT … SELECT`; check `sql` is one `SELECT` (or `WITH … SELECT`). Both may use only the bound parameters `{customer:String}`, `{start:DateTime}`, `{end:DateTime}` and `{cluster:String}`, and no `${env:…}`.',
  '`job.env` values may use only the placeholders `{{ customer }}`, `{{ cluster }}`, `{{ batch.start }}`, `{{ batch.end }}` (RFC 3339), `{{ batch.date }}` (YYYY-MM-DD) and `{{ plan.name }}`.',
  '`${env:NAME}` in any string is read from the environment when the plan runs, never when it loads; `NAME` is letters, digits and `_`, not starting with a digit. Paths (`state.path`, `clickhouse.embedded`, `kubernetes.kubeconfig`) cannot use it.',
  '`verify.ratio.min` is at most `verify.ratio.max`; `between: [low, high]` has low at most high. Check names are unique.',
]
