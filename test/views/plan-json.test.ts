import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { planToJson, renderPlanJson } from '../../src/views/plan-json.js'
import { expectGolden } from './golden.js'
import { mixedPlan, noChangesPlan, referencePlan, subDayPlan } from './plans.js'

const schema = JSON.parse(readFileSync(new URL('../../schemas/plan-output.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)

describe('planToJson', () => {
  it('renders the documented format with a stable key order', () => {
    const json = planToJson(referencePlan())
    expect(Object.keys(json)).toEqual(['format_version', 'plan', 'state', 'summary', 'units', 'steps', 'forget_steps', 'warnings'])
    expect(Object.keys(json.summary)).toEqual(['create', 'replace', 'no_op', 'forget', 'steps', 'rows_to_delete', 'forget_steps'])
    expect(Object.keys(json.summary.steps)).toEqual(['check', 'delete', 'await-mutation', 'job', 'verify'])
    expect(json.units[0]).toEqual({ address: 'us-east-1-prod/alaska-air/2026-01-01', action: 'create', reasons: [], live: { rows: 2520, keys: 2410, expected: 2410 } })
    expect(json.steps[1]).toEqual({ address: 'us-east-1-prod/alaska-air/delete', kind: 'delete', depends_on: ['us-east-1-prod/check'], estimated_rows: 123456, customers: ['alaska-air'] })
    expect(json.warnings).toEqual([{ code: 'mutable-sort-key', message: expect.any(String) }])
  })

  it('carries the inputs diff, and null for figures it does not have', () => {
    const json = planToJson(mixedPlan())
    const changed = json.units.find((unit) => unit.address === 'us-east-1-prod/globex/2026-01-06')
    expect(changed?.diff).toContain('+env.LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE: "24h"')
    expect(json.units.find((unit) => unit.action === 'forget')?.live).toBeNull()
    expect(json.units.find((unit) => unit.address === 'us-east-1-prod/we"ird%2Fco/2026-01-01')?.live).toEqual({ rows: 0, keys: 0, expected: null })
  })

  it.each([
    ['reference', referencePlan],
    ['mixed', mixedPlan],
    ['no-changes', noChangesPlan],
    ['sub-day', subDayPlan],
  ])('matches the committed schema and golden file: %s', (name, make) => {
    const text = renderPlanJson(make())
    expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true)
    expectGolden(`plan-json/${name}.json`, text)
  })

  it('is refused by the schema when a key is renamed', () => {
    const json = planToJson(referencePlan()) as unknown as Record<string, unknown>
    json.formatVersion = json.format_version
    delete json.format_version
    expect(validate(json)).toBe(false)
  })
})

describe('renderPlanJson quoting', () => {
  it('writes every string as JSON.stringify does, odd characters included', () => {
    const plan = referencePlan()
    const odd = ['we"ird', 'back\\slash', 'tab\there', 'line\nbreak', 'nul\u0000', 'del\u007f', 'sep\u2028', 'emoji 😀', 'lone \ud800', 'é/ü%2F']
    plan.units = odd.map((customer, i) => ({ ...plan.units[0]!, address: `us-east-1-prod/${customer}/2026-01-0${i}`, customer, reasons: [customer] }))
    const parsed = JSON.parse(renderPlanJson(plan)) as { units: { address: string; reasons: string[] }[] }
    expect(parsed.units.map((unit) => unit.address)).toEqual(plan.units.map((unit) => unit.address))
    expect(parsed.units.map((unit) => unit.reasons[0])).toEqual(odd)
    for (const text of odd) expect(renderPlanJson(plan)).toContain(JSON.stringify(text))
  })
})
