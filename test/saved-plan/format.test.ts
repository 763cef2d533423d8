import { describe, expect, it } from 'vitest'
import { fingerprint } from '../../src/engine/fingerprint.js'
import { UserError } from '../../src/errors.js'
import { parseSavedPlan, serializeSavedPlan } from '../../src/saved-plan/format.js'
import { mixedPlan, referencePlan } from '../views/plans.js'

const FILE = 'relabel.bfplan'

function parseError(text: string): UserError {
  try {
    parseSavedPlan(text, FILE)
  } catch (error) {
    if (error instanceof UserError) return error
    throw error
  }
  throw new Error('expected a UserError')
}

describe('saved plan', () => {
  it('round-trips a plan exactly', () => {
    for (const plan of [referencePlan(), mixedPlan()]) expect(parseSavedPlan(serializeSavedPlan(plan), FILE)).toEqual(plan)
  })

  it('records versions, the plan file hash, the state it was made from, fingerprints and inputs', () => {
    const saved = JSON.parse(serializeSavedPlan(referencePlan())) as Record<string, unknown>
    expect(Object.keys(saved).slice(0, 5)).toEqual(['format', 'format_version', 'bf_version', 'plan', 'state'])
    expect(saved).toMatchObject({ format: 'bf-saved-plan', format_version: 2, bf_version: '0.1.0', state: { lineage: null, serial: 0 } })
    expect((saved.steps as { fingerprint: string; inputs: object }[])[1]).toMatchObject({ fingerprint: expect.any(String), inputs: { sql: expect.stringContaining('DELETE') } })
  })

  it('gives every step its fingerprint, also those the planner left to compute', () => {
    const plan = referencePlan()
    const job = plan.steps.find((step) => step.kind === 'job')
    if (!job) throw new Error('the reference plan has jobs')
    const expected = fingerprint(job.inputs)
    delete job.fingerprint
    const saved = parseSavedPlan(serializeSavedPlan(plan), FILE)
    expect(saved.steps.find((step) => step.address === job.address)?.fingerprint).toBe(expected)
    expect(saved.steps.every((step) => typeof step.fingerprint === 'string')).toBe(true)
  })

  it('refuses text that is not a saved plan', () => {
    expect(parseError('version: 1\nname: relabel-2026\n').message).toBe(`${FILE} is not a saved bf plan: it is not JSON. A saved plan is the file bf plan -o FILE writes.`)
    expect(parseError('{"format_version":"1","plan":{}}').message).toMatch(/^relabel\.bfplan is not a saved bf plan: it has no "format": "bf-saved-plan"/)
  })

  it('refuses a newer format and says what to do', () => {
    const saved = JSON.parse(serializeSavedPlan(referencePlan())) as Record<string, unknown>
    const newer = JSON.stringify({ ...saved, format_version: 3, bf_version: '2.0.0' })
    expect(parseError(newer).message).toBe(
      `${FILE} was saved by bf 2.0.0 in saved-plan format 3; this bf reads format 2. Upgrade bf, or make the plan again with this one (bf plan -o FILE).`,
    )
  })

  it('refuses an older format, whose summary lacks the steps to forget, and says what to do', () => {
    const saved = JSON.parse(serializeSavedPlan(referencePlan())) as Record<string, unknown>
    const older = JSON.stringify({ ...saved, format_version: 1, bf_version: '0.1.0' })
    expect(parseError(older).message).toBe(`${FILE} was saved by bf 0.1.0 in saved-plan format 1; this bf reads format 2. Make the plan again (bf plan -o FILE).`)
  })

  it('refuses a plan edited after it was saved', () => {
    const edited = serializeSavedPlan(referencePlan()).replace('"customer":"alaska-air"', '"customer":"other"')
    expect(parseError(edited).message).toMatch(/was changed after bf plan saved it \(checksum mismatch\)/)
  })

  it('names what is malformed', () => {
    const saved = JSON.parse(serializeSavedPlan(referencePlan())) as { steps: Record<string, unknown>[] }
    delete saved.steps[0]?.fingerprint
    expect(parseError(JSON.stringify(saved)).message).toBe(`${FILE} is not a valid saved plan: /steps/0 must have required property 'fingerprint'. Run bf plan -o again.`)
  })
})
