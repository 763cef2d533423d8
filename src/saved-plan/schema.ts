/**
 * JSON Schema (2020-12) of a saved plan file, format 2. Properties are closed: a file
 * with fields this bf does not know is refused rather than applied partly understood.
 */

const integer = { type: 'integer', minimum: 0 } as const
const text = { type: 'string' } as const
const window = {
  type: 'object',
  required: ['start', 'end'],
  additionalProperties: false,
  properties: { start: { type: 'number' }, end: { type: 'number' } },
} as const
const stepKind = { enum: ['check', 'delete', 'await-mutation', 'job', 'verify'] } as const

const diagnostic = {
  type: 'object',
  required: ['severity', 'code', 'message'],
  additionalProperties: false,
  properties: {
    severity: { enum: ['error', 'warning'] },
    code: text,
    message: text,
    hint: text,
    file: text,
    position: { type: 'object', required: ['line', 'col'], additionalProperties: false, properties: { line: integer, col: integer } },
    address: text,
  },
} as const

const unplanned = {
  type: 'object',
  required: ['kinds', 'first', 'last'],
  additionalProperties: false,
  properties: {
    customer: text,
    kinds: { type: 'array', items: { type: 'object', required: ['kind', 'count'], additionalProperties: false, properties: { kind: text, count: integer } } },
    first: text,
    last: text,
  },
} as const

const clusterSummary = {
  type: 'object',
  required: ['cluster', 'create', 'replace', 'noOp', 'forget', 'forgetSteps', 'unplannedSteps', 'unplanned'],
  additionalProperties: false,
  properties: {
    cluster: text,
    create: integer,
    replace: integer,
    noOp: integer,
    forget: integer,
    forgetSteps: integer,
    unplannedSteps: integer,
    unplanned: { type: 'array', items: unplanned },
  },
} as const

const unit = {
  type: 'object',
  required: ['address', 'cluster', 'customer', 'action', 'reasons'],
  additionalProperties: false,
  properties: {
    address: text,
    cluster: text,
    customer: text,
    batch: {
      type: 'object',
      required: ['start', 'end', 'label'],
      additionalProperties: false,
      properties: { start: { type: 'number' }, end: { type: 'number' }, label: text },
    },
    action: { enum: ['create', 'replace', 'no-op', 'forget'] },
    reasons: { type: 'array', items: text },
    live: {
      type: 'object',
      required: ['rows', 'keys'],
      additionalProperties: false,
      properties: { rows: integer, keys: integer, expected: integer },
    },
    inputsDiff: text,
    deletedFirst: { type: 'boolean' },
  },
} as const

/** The parts a delete rewrites, as the plan estimated them. */
const rewrite = {
  type: 'object',
  required: ['parts', 'rows', 'bytes'],
  additionalProperties: false,
  properties: { parts: integer, rows: integer, bytes: integer },
} as const

const step = {
  type: 'object',
  required: ['address', 'kind', 'dependsOn', 'cluster', 'fingerprint', 'inputs'],
  additionalProperties: false,
  properties: {
    address: text,
    kind: stepKind,
    dependsOn: { type: 'array', items: text },
    cluster: text,
    customer: text,
    unit: text,
    window,
    ranges: { type: 'array', minItems: 1, items: window },
    reasons: { type: 'array', items: text },
    fingerprint: { type: 'string', minLength: 1 },
    inputs: { type: 'object' },
    estimatedRows: integer,
    customers: { type: 'array', items: text },
    rewrite,
  },
} as const

/** A cluster's job template as planned: its content is what apply makes the cluster's jobs from. */
const jobTemplate = {
  type: 'object',
  required: ['cluster', 'source', 'fingerprint', 'content'],
  additionalProperties: false,
  properties: {
    cluster: text,
    source: text,
    fingerprint: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    content: { type: 'object' },
    applied: text,
    changes: { type: 'array', items: text },
  },
} as const

/** A discovering cluster's customers as the plan showed them: applying the saved plan does not discover again. */
const discovered = {
  type: 'object',
  required: ['cluster', 'source', 'found', 'new', 'gone'],
  additionalProperties: false,
  properties: {
    cluster: text,
    source: { enum: ['data', 'state'] },
    found: integer,
    new: { type: 'array', items: text },
    gone: { type: 'array', items: text },
  },
} as const

/** The schema `parseSavedPlan` checks a saved plan file against (see the head of this file). */
export const savedPlanSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['format', 'format_version', 'bf_version', 'plan', 'state', 'refreshed', 'summary', 'warnings', 'units', 'steps', 'forgetSteps', 'checksum'],
  additionalProperties: false,
  properties: {
    format: { const: 'bf-saved-plan' },
    format_version: { const: 2 },
    bf_version: text,
    plan: {
      type: 'object',
      required: ['name', 'description', 'file', 'sha256'],
      additionalProperties: false,
      properties: { name: text, description: text, file: text, sha256: text },
    },
    state: {
      type: 'object',
      required: ['lineage', 'serial'],
      additionalProperties: false,
      properties: { lineage: { type: ['string', 'null'] }, serial: integer },
    },
    refreshed: { type: 'boolean' },
    summary: {
      type: 'object',
      required: ['create', 'replace', 'noOp', 'forget', 'steps', 'rowsToDelete', 'forgetSteps', 'hasChanges', 'clusters'],
      additionalProperties: false,
      properties: {
        create: integer,
        replace: integer,
        noOp: integer,
        forget: integer,
        steps: { type: 'object', propertyNames: stepKind, additionalProperties: integer },
        rowsToDelete: integer,
        rewrite,
        forgetSteps: integer,
        hasChanges: { type: 'boolean' },
        clusters: { type: 'array', items: clusterSummary },
      },
    },
    warnings: { type: 'array', items: diagnostic },
    units: { type: 'array', items: unit },
    steps: { type: 'array', items: step },
    forgetSteps: { type: 'array', items: text },
    jobTemplates: { type: 'array', items: jobTemplate },
    customers: { type: 'array', items: discovered },
    checksum: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
  },
} as const
