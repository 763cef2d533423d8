import type { ErrorObject } from 'ajv/dist/2020.js'
import { loadAjv2020 } from '../plan/load-ajv.js'
import { savedPlanSchema } from './schema.js'

/**
 * What is wrong with `document` as a saved plan file, one phrase per problem (the first
 * one found); empty when it matches the schema. The schema is compiled on each call: a
 * process reads at most one saved plan, so keeping the compiled validator would save nothing.
 */
export function savedPlanProblems(document: unknown): string[] {
  const Ajv = loadAjv2020()
  const validate = new Ajv({ allErrors: false, strict: true }).compile(savedPlanSchema)
  return validate(document) ? [] : (validate.errors ?? []).map(describeError)
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the file' : error.instancePath
  const allowed = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : ''
  return `${where} ${error.message ?? 'is invalid'}${allowed}`
}
