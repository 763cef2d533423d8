import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'

/** `schemas/state.schema.json`, the contract of the document `bf state pull` prints. */
export const validateState = new Ajv2020({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(new URL('../../schemas/state.schema.json', import.meta.url), 'utf8')) as object,
)
