// Writes the plan schema's validator as code (ajv's standalone output) next to the built
// module that loads it, so that no bf command compiles the schema when it starts. Run by
// `npm run build`, after the compiler: the validator always matches dist/plan/schema.js.
import { writeFile } from 'node:fs/promises'
import { GENERATED_VALIDATOR, planValidatorSource } from '../dist/plan/plan-validator.js'

await writeFile(new URL(`../dist/plan/${GENERATED_VALIDATOR}`, import.meta.url), planValidatorSource())
