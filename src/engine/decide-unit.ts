import type { PlanSpec, Unit } from '../plan/model.js'
import type { JsonValue, StepRecord } from '../state/model.js'
import type { LiveFigures } from '../warehouse/warehouse.js'
import { fingerprint } from './fingerprint.js'
import { changedPaths, inputsDiff } from './inputs-diff.js'
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
  jobFingerprint: string
}

export interface DecideContext {
  spec: PlanSpec
  steps: Map<string, StepRecord>
  live?: LiveFigures
  verifyFingerprint: string
}

const ratioText = (ratio: number): string => (Number.isFinite(ratio) ? ratio.toFixed(3) : '∞')

/** Reasons the live figures of a unit are wrong, given the plan's verify settings. */
export function driftReasons(spec: PlanSpec, live: UnitLive): string[] {
  const reasons: string[] = []
  const duplicates = live.rows - live.keys
  if (spec.verify.duplicates && duplicates > 0) reasons.push(`drift: ${duplicates.toLocaleString('en-US')} duplicate keys`)
  const bounds = spec.verify.ratio
  if (bounds && live.expected !== undefined && (live.expected > 0 || live.keys > 0)) {
    const ratio = live.expected === 0 ? Infinity : live.keys / live.expected
    const low = bounds.min ?? -Infinity
    const high = bounds.max ?? Infinity
    if (ratio < low || ratio > high) {
      reasons.push(`drift: ratio ${ratioText(ratio)} (${live.keys} keys / ${live.expected} expected) outside [${bounds.min ?? '-'}, ${bounds.max ?? '-'}]`)
    }
  }
  return reasons
}

/** Compares one unit's plan, state and live figures. */
export function decideUnit(unit: Unit, context: DecideContext): UnitDecision {
  const { spec, steps } = context
  const inputs = jobInputs(spec, unit)
  const jobFingerprint = fingerprint(inputs)
  const figures = context.live?.unit(unit.customer, unit.batch.start)
  const live = figures && { rows: figures.rows, keys: figures.keys, ...(figures.expected === undefined ? {} : { expected: figures.expected }) }
  const drift = live ? driftReasons(spec, live) : []
  const base = { unit, jobInputs: inputs, jobFingerprint, drifted: drift.length > 0, orphanRows: false, ...(live ? { live } : {}) }

  const job = steps.get(stepAddress.unitStep(unit.address, 'job'))
  const verify = steps.get(stepAddress.unitStep(unit.address, 'verify'))
  if (!job) return { ...base, orphanRows: (live?.rows ?? 0) > 0, action: 'create', reasons: [], need: 'job', dirty: false }
  if (job.status === 'started') {
    return { ...base, action: 'create', reasons: [`interrupted: job attempt ${job.attempt} is reconciled first`], need: 'job', dirty: false }
  }
  if (job.fingerprint !== jobFingerprint) {
    const paths = changedPaths(job.inputs, inputs).map((path) => `job.${path}`)
    return {
      ...base,
      action: 'replace',
      reasons: [`inputs changed: ${paths.join(', ') || 'job'}`],
      need: 'job',
      dirty: true,
      inputsDiff: inputsDiff(job.inputs, inputs, unit.address),
    }
  }
  if (job.status === 'failed') {
    return { ...base, action: 'replace', reasons: [`failed: ${job.error ?? 'job failed'}`], need: 'job', dirty: false }
  }
  if (verify?.status === 'failed') {
    return { ...base, action: 'replace', reasons: [`verify failed: ${verify.error ?? 'check failed'}`], need: 'job', dirty: true }
  }
  if (drift.length > 0) return { ...base, action: 'replace', reasons: drift, need: 'job', dirty: true }
  if (!verify || verify.status === 'started') return { ...base, action: 'create', reasons: ['not verified yet'], need: 'verify', dirty: false }
  if (verify.fingerprint !== context.verifyFingerprint) {
    return { ...base, action: 'replace', reasons: ['verify settings changed: verify re-runs'], need: 'verify', dirty: false }
  }
  return { ...base, action: 'no-op', reasons: [], need: 'none', dirty: false }
}
