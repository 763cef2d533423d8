import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { DURATION_PATTERN } from '../../src/plan/duration.js'
import type { JsonSchema } from '../../src/plan/json-schema.js'
import { IDENTIFIER_PATTERN, SLUG_PATTERN, TIMESTAMP_PATTERN } from '../../src/plan/patterns.js'
import { planSchema } from '../../src/plan/schema.js'

/**
 * `schemas/plan.schema.json` is written from `src/plan/schema.ts`. After changing the
 * schema, regenerate it with `npx vitest run test/plan/schema.test.ts --update`.
 */
describe('the plan schema', () => {
  it('is committed as schemas/plan.schema.json', async () => {
    await expect(`${JSON.stringify(planSchema, null, 2)}\n`).toMatchFileSnapshot('../../schemas/plan.schema.json')
  })

  it('describes every property and closes every mapping', () => {
    const problems: string[] = []
    const walk = (schema: JsonSchema, at: string) => {
      if (schema.properties) {
        if (schema.additionalProperties !== false) problems.push(`${at}: additionalProperties is not false`)
        for (const [key, property] of Object.entries(schema.properties)) {
          if (!property.description) problems.push(`${at}.${key}: no description`)
          walk(property, `${at}.${key}`)
        }
      } else if (schema.type === 'object' && typeof schema.additionalProperties !== 'object') {
        problems.push(`${at}: a map without a schema for its values`)
      }
      if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${at}.*`)
      if (schema.items) walk(schema.items, `${at}[]`)
      schema.oneOf?.forEach((branch, i) => walk(branch, `${at}|${i}`))
      for (const [name, def] of Object.entries(schema.$defs ?? {})) walk(def, `#${name}`)
    }
    walk(planSchema, '')
    expect(problems).toEqual([])
  })

  it('uses the patterns bf checks with', () => {
    const defs = planSchema.$defs!
    expect(defs.duration?.pattern).toBe(DURATION_PATTERN)
    expect(defs.slug?.pattern).toBe(SLUG_PATTERN)
    expect(defs.timestamp?.pattern).toBe(TIMESTAMP_PATTERN)
    expect(defs.columnName?.pattern).toBe(IDENTIFIER_PATTERN)
    expect(planSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(planSchema.$id).toBeDefined()
    expect(planSchema.title).toBeDefined()
  })

  it('as committed, accepts the valid plans and rejects invalid ones, as an editor would', () => {
    const committed = JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8')) as object
    const validate = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(committed)
    const read = (file: string) => parse(readFileSync(file, 'utf8'), { schema: 'core' }) as unknown
    for (const file of ['plans/2026.yaml', 'test/fixtures/valid/sql-job.yaml', 'test/fixtures/valid/command-job.yaml', 'test/fixtures/valid/kubernetes-two-clusters.yaml', 'test/fixtures/valid/busy-cluster.yaml', 'test/fixtures/valid/discovery.yaml']) {
      expect(validate(read(file)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
    for (const name of ['unknown-keys', 'wrong-types', 'delete-true', 'kind-section-mismatch', 'clickhouse-url-and-embedded', 'bad-identifiers', 'expect-shape']) {
      expect(validate(read(`test/fixtures/invalid/${name}.yaml`)), name).toBe(false)
    }
  })
})
