import { createRequire } from 'node:module'
import type { Ajv2020, ErrorObject } from 'ajv/dist/2020.js'
import { savedPlanSchema } from './schema.js'

const require = createRequire(import.meta.url)

/**
 * What is wrong with `document` as a saved plan file, one phrase per problem (the first
 * one found); empty when it matches the schema. The schema is compiled on each call: a
 * process reads at most one saved plan, so keeping the compiled validator would save nothing.
 */
export function savedPlanProblems(document: unknown): string[] {
  // Loaded here, not with the module: only a saved plan needs it, and it takes a while to load.
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }
  const validate = new Ajv({ allErrors: false, strict: true }).compile(savedPlanSchema)
  return validate(document) ? [] : (validate.errors ?? []).map(describeError)
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the file' : error.instancePath
  const allowed = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : ''
  return `${where} ${error.message ?? 'is invalid'}${allowed}`
}
