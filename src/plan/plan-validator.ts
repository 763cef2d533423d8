import { createRequire } from 'node:module'
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js'
import { inlineRefs } from './json-schema.js'
import { loadAjv2020 } from './load-ajv.js'
import { planSchema } from './schema.js'

const require = createRequire(import.meta.url)

/** The plan schema with its references inlined, as the validator and its error messages read it. */
export const inlinedPlanSchema = inlineRefs(planSchema)

const OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true } as const

/** Compiles the plan schema (ajv is loaded then: it takes a while to load and compile). */
export function compilePlanValidator(source = false): { ajv: Ajv2020; validate: ValidateFunction } {
  const Ajv = loadAjv2020()
  const ajv = new Ajv({ ...OPTIONS, ...(source ? { code: { source: true } } : {}) })
  return { ajv, validate: ajv.compile(inlinedPlanSchema) }
}

/** The validator as a CommonJS module's source (ajv's standalone code): `npm run build` writes it next to this file. */
export function planValidatorSource(): string {
  const standalone = require('ajv/dist/standalone/index.js') as { default: (ajv: Ajv2020, validate: ValidateFunction) => string }
  const { ajv, validate } = compilePlanValidator(true)
  return standalone.default(ajv, validate)
}

/** File name of the generated validator, next to this module. */
export const GENERATED_VALIDATOR = 'plan-validator.generated.cjs'

/** The generated validator, when the build wrote it (run from the sources, there is none). */
export function generatedPlanValidator(): ValidateFunction | undefined {
  try {
    return require(`./${GENERATED_VALIDATOR}`) as ValidateFunction
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined
    throw error
  }
}
