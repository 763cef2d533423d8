import type { PlanSpec, Unit } from '../plan/model.js'
import type { JsonValue, StepRecord } from '../state/model.js'
import type { LiveFigures } from '../warehouse/warehouse.js'
import { fingerprintReusing } from './fingerprint.js'
import { changedPaths, inputsDiff } from './inputs-diff.js'
import { judgeUnitFigures } from './judge-figures.js'
import type { FiguresFailure } from './judge-figures.js'
import type { PlanMemo } from './plan-memo.js'
import type { UnitAction, UnitLive } from './plan-model.js'
import { jobInputs } from './step-inputs.js'
import { stepAddress } from './step-addresses.js'

/** What a unit needs run: nothing, only its verify, or its job (and then its verify). */
export type UnitNeed = 'none' | 'verify' | 'job'

export interface UnitDecision {
  unit: Unit
  action: UnitAction
  reasons: string[]
  need: UnitNeed
  /** Stale rows may be present again (drift, changed inputs, failed verify): the delete must re-run. */
  dirty: boolean
  /** Live figures are wrong (duplicates, ratio out of bounds). */
  drifted: boolean
  /** Never run by bf, yet rows are live in its window: only a delete makes its job's output exact. */
  orphanRows: boolean
  live?: UnitLive
  inputsDiff?: string
  jobInputs: Record<string, JsonValue>
  /** Absent for a job never run: nothing to compare it with (`stepFingerprint` computes it). */
  jobFingerprint?: string
  /** Addresses of the unit's job and verify steps. */
  jobAddress: string
  verifyAddress: string
}

export interface DecideContext {
  spec: PlanSpec
  steps: ReadonlyMap<string, StepRecord>
  live?: LiveFigures
  verifyFingerprint: string
  /** The plan's shared values (window texts, quoted strings). */
  memo: PlanMemo
}

/** Shared by every unit with nothing to say: a plan can hold a million units. Never push to it. */
const NO_REASONS: string[] = []

const ratioText = (ratio: number): string => (Number.isFinite(ratio) ? ratio.toFixed(3) : '∞')

function driftReason(failure: FiguresFailure): string {
  if (failure.check === 'duplicates') return `drift: ${failure.duplicates.toLocaleString('en-US')} duplicate keys`
  const { ratio, keys, expected, bounds } = failure
  return `drift: ratio ${ratioText(ratio)} (${keys} keys / ${expected} expected) outside [${bounds.min ?? '-'}, ${bounds.max ?? '-'}]`
}

/** Reasons the live figures of a unit are wrong, given the plan's verify settings (verify judges them alike). */
export function driftReasons(spec: PlanSpec, live: UnitLive): string[] {
  const failures = judgeUnitFigures(spec.verify, live)
  return failures.length === 0 ? NO_REASONS : failures.map(driftReason)
}

/** Compares one unit's plan, state and live figures. */
export function decideUnit(unit: Unit, context: DecideContext): UnitDecision {
  const { spec, steps } = context
  const inputs = jobInputs(spec, unit, context.memo)
  const jobAddress = stepAddress.unitStep(unit.address, 'job')
  const verifyAddress = stepAddress.unitStep(unit.address, 'verify')
  const job = steps.get(jobAddress)
  const jobFingerprint = job ? fingerprintReusing(inputs, job, context.memo.fingerprints) : undefined
  const live: UnitLive | undefined = context.live?.unit(unit.customer, unit.batch.start)
  const drift = live ? driftReasons(spec, live) : NO_REASONS
  const decided = (action: UnitAction, reasons: string[], need: UnitNeed, dirty: boolean): UnitDecision => {
    return {
      unit,
      action,
      reasons: reasons.length === 0 ? NO_REASONS : reasons,
      need,
      dirty,
      drifted: drift.length > 0,
      orphanRows: false,
      live,
      jobInputs: inputs,
      jobFingerprint,
      jobAddress,
      verifyAddress,
    }
  }

  if (!job) {
    const decision = decided('create', NO_REASONS, 'job', false)
    decision.orphanRows = (live?.rows ?? 0) > 0
    return decision
  }
  if (job.status === 'started') return decided('create', [`interrupted: job attempt ${job.attempt} is reconciled first`], 'job', false)
  if (job.fingerprint !== jobFingerprint) {
    const paths = changedPaths(job.inputs, inputs).map((path) => `job.${path}`)
    const decision = decided('replace', [paths.length === 0 ? 'the job changed' : `${paths.join(', ')} changed`], 'job', true)
    decision.inputsDiff = inputsDiff(job.inputs, inputs, unit.address)
    return decision
  }
  if (job.status === 'failed') return decided('replace', [`failed: ${job.error ?? 'job failed'}`], 'job', false)
  // Looked up only now: most units of a large plan are decided without it.
  const verify = steps.get(verifyAddress)
  if (verify?.status === 'failed') return decided('replace', [`verify failed: ${verify.error ?? 'check failed'}`], 'job', true)
  if (drift.length > 0) return decided('replace', drift, 'job', true)
  if (!verify || verify.status === 'started') return decided('create', ['not verified yet'], 'verify', false)
  // A verify from before the job's last run (it finished while an apply stopped) says nothing about its rows.
  if (job.finishedAt !== undefined && verify.startedAt < job.finishedAt) return decided('create', ['not verified since its job last ran'], 'verify', false)
  if (verify.fingerprint !== context.verifyFingerprint) return decided('replace', ['verify settings changed: verify re-runs'], 'verify', false)
  return decided('no-op', NO_REASONS, 'none', false)
}
