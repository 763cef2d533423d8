import { createHash } from 'node:crypto'
import { FingerprintMemo, stepFingerprint } from '../engine/fingerprint.js'
import type { ComputedPlan } from '../engine/plan-model.js'
import { UserError } from '../errors.js'
import { savedPlanProblems } from './validate.js'

/** Format of saved plan files this bf writes and reads. */
export const SAVED_PLAN_FORMAT_VERSION = 2

const FORMAT = 'bf-saved-plan'
const MADE_BY = 'A saved plan is the file bf plan -o FILE writes.'

type SavedPlanBody = {
  format: typeof FORMAT
  format_version: number
  bf_version: string
} & Pick<ComputedPlan, 'plan' | 'state' | 'refreshed' | 'summary' | 'warnings' | 'units' | 'steps' | 'forgetSteps' | 'jobTemplates' | 'customers'>

/** Over the file's JSON without its `checksum` field, in the order the fields are written. */
function checksumOf(body: SavedPlanBody): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`
}

/**
 * A plan as a saved plan file: everything `bf apply SAVED` needs to run exactly what was
 * reviewed — plan file hash, the state lineage and serial it was made from, units, and
 * steps with their fingerprints and inputs — and a checksum over all of it.
 */
export function serializeSavedPlan(plan: ComputedPlan): string {
  const fingerprints = new FingerprintMemo()
  const body: SavedPlanBody = {
    format: FORMAT,
    format_version: SAVED_PLAN_FORMAT_VERSION,
    bf_version: plan.bfVersion,
    plan: plan.plan,
    state: plan.state,
    refreshed: plan.refreshed,
    summary: plan.summary,
    warnings: plan.warnings,
    units: plan.units,
    // A saved plan is applied as reviewed: every step carries its fingerprint.
    steps: plan.steps.map((step) => (step.fingerprint === undefined ? { ...step, fingerprint: stepFingerprint(step, fingerprints) } : step)),
    forgetSteps: plan.forgetSteps,
    // Apply makes every job from these, and refuses when a cluster's template changed since.
    ...(plan.jobTemplates ? { jobTemplates: plan.jobTemplates } : {}),
    // The customers the plan was made for: its steps are for them alone, whatever discovery finds later.
    ...(plan.customers ? { customers: plan.customers } : {}),
  }
  return `${JSON.stringify({ ...body, checksum: checksumOf(body) })}\n`
}

function checkDependencies(plan: SavedPlanBody, file: string): void {
  const addresses = new Set(plan.steps.map((step) => step.address))
  for (const step of plan.steps) {
    const missing = step.dependsOn.find((address) => !addresses.has(address))
    if (missing !== undefined) {
      throw new UserError(`${file} is not a valid saved plan: step ${step.address} depends on ${missing}, which is not in the plan. Run bf plan -o again.`)
    }
  }
}

/**
 * Reads a saved plan file back into the plan it was made from. Throws a `UserError`
 * naming `file` when the text is not a saved plan, comes from a newer format, was
 * changed after it was saved, or is malformed.
 */
export function parseSavedPlan(text: string, file: string): ComputedPlan {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw new UserError(`${file} is not a saved bf plan: it is not JSON. ${MADE_BY}`)
  }
  if (typeof document !== 'object' || document === null || (document as { format?: unknown }).format !== FORMAT) {
    throw new UserError(`${file} is not a saved bf plan: it has no "format": "${FORMAT}". ${MADE_BY}`)
  }
  const { format_version: version, bf_version: madeBy } = document as { format_version?: unknown; bf_version?: unknown }
  if (typeof version === 'number' && version > SAVED_PLAN_FORMAT_VERSION) {
    throw new UserError(
      `${file} was saved by bf ${String(madeBy)} in saved-plan format ${version}; this bf reads format ${SAVED_PLAN_FORMAT_VERSION}. ` +
        'Upgrade bf, or make the plan again with this one (bf plan -o FILE).',
    )
  }
  if (typeof version === 'number' && version < SAVED_PLAN_FORMAT_VERSION) {
    throw new UserError(`${file} was saved by bf ${String(madeBy)} in saved-plan format ${version}; this bf reads format ${SAVED_PLAN_FORMAT_VERSION}. Make the plan again (bf plan -o FILE).`)
  }
  const problems = savedPlanProblems(document)
  if (problems.length > 0) {
    throw new UserError(`${file} is not a valid saved plan: ${problems.join('; ')}. Run bf plan -o again.`)
  }
  const { checksum, ...body } = document as SavedPlanBody & { checksum: string }
  if (checksumOf(body) !== checksum) {
    throw new UserError(`${file} was changed after bf plan saved it (checksum mismatch); a saved plan must be applied as reviewed. Run bf plan -o again.`)
  }
  checkDependencies(body, file)
  return {
    formatVersion: '1',
    bfVersion: body.bf_version,
    plan: body.plan,
    state: body.state,
    refreshed: body.refreshed,
    units: body.units,
    steps: body.steps,
    forgetSteps: body.forgetSteps,
    warnings: body.warnings,
    summary: body.summary,
    ...(body.jobTemplates ? { jobTemplates: body.jobTemplates } : {}),
    ...(body.customers ? { customers: body.customers } : {}),
  }
}
