import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { compilePlanValidator, planValidatorSource } from '../../src/plan/plan-validator.js'
import { validateAgainstSchema } from '../../src/plan/validate-schema.js'

/** The module `npm run build` writes, loaded from its source as the built bf loads it. */
function generated(): ValidateFunction {
  const module = { exports: {} as unknown }
  new Function('module', 'exports', 'require', planValidatorSource())(module, module.exports, createRequire(import.meta.url))
  return module.exports as ValidateFunction
}

const plans = [
  ...readdirSync('test/fixtures/invalid').filter((name) => name.endsWith('.yaml')).map((name) => `test/fixtures/invalid/${name}`),
  ...readdirSync('test/fixtures/valid').filter((name) => name.endsWith('.yaml')).map((name) => `test/fixtures/valid/${name}`),
]

describe('the plan validator the build generates', () => {
  it('finds exactly what the schema compiled at run time finds, in every fixture', () => {
    const built = generated()
    const compiled = compilePlanValidator().validate
    let invalid = 0
    for (const file of plans) {
      let data: unknown
      try {
        data = parse(readFileSync(file, 'utf8'))
      } catch {
        continue // Not YAML bf reads (an alias bomb): refused before the schema.
      }
      const findings = validateAgainstSchema(data, built)
      expect(findings, file).toEqual(validateAgainstSchema(data, compiled))
      if (findings.length > 0) invalid++
    }
    expect(invalid).toBeGreaterThan(10)
  })
})
