import type { ValidateFunction } from 'ajv/dist/2020.js'
import type { Finding } from './finding.js'
import { compilePlanValidator, generatedPlanValidator, inlinedPlanSchema } from './plan-validator.js'
import { schemaFindings } from './schema-errors.js'

let validator: ValidateFunction | undefined

/** The build's generated validator, else the schema compiled now. */
function planValidator(): ValidateFunction {
  return (validator ??= generatedPlanValidator() ?? compilePlanValidator().validate)
}

/** Checks the plan's data against the plan schema; every problem, as findings. */
export function validateAgainstSchema(data: unknown, validate: ValidateFunction = planValidator()): Finding[] {
  if (validate(data)) return []
  return schemaFindings(validate.errors ?? [], inlinedPlanSchema, data)
}
