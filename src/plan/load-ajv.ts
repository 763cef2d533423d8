import { createRequire } from 'node:module'
import type { Ajv2020 } from 'ajv/dist/2020.js'

const require = createRequire(import.meta.url)

/** ajv's JSON Schema 2020-12 validator class, loaded on first need: it takes a while to load, and most starts need none. */
export function loadAjv2020(): typeof Ajv2020 {
  return (require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }).Ajv2020
}
