import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import type { Finding } from './finding.js'
import { inlineRefs } from './json-schema.js'
import { planSchema } from './schema.js'
import { schemaFindings } from './schema-errors.js'

const inlined = inlineRefs(planSchema)
let compiled: ValidateFunction | undefined

/** Checks the plan's data against the plan schema; every problem, as findings. */
export function validateAgainstSchema(data: unknown): Finding[] {
  const validate = (compiled ??= new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true }).compile(inlined))
  if (validate(data)) return []
  return schemaFindings(validate.errors ?? [], inlined, data)
}
