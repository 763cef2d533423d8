import { UserError } from '../../errors.js'

/** Which state a state is (its lineage) and how far it got (its serial); lineage `''` when there is none. */
export interface StateHead {
  lineage: string
  serial: number
}

export interface IncomingState extends StateHead {
  plan: string
}

/** What importing a state over the current one does (`bf state push`, `bf state migrate`). */
export type ImportDecision =
  | {
      action: 'write'
      /** The serial to write the state with: its own, or one past the current one when `--force` would otherwise take the serial back. */
      serial: number
      /** The refusals `--force` overrode, as warnings. */
      overridden: string[]
    }
  | { action: 'unchanged' }

export interface ImportRules {
  /** The plan the destination belongs to. */
  planName: string
  /** How messages name the incoming state (`state.json`, `the state in .bf/state/relabel-2026`). */
  what: string
  force: boolean
  /** Whether the incoming steps are the current ones; asked only when lineage and serial are equal. */
  sameSteps: () => Promise<boolean>
}

/**
 * Decides, as Terraform's `state push` does, whether a state may replace the current one:
 * over no state, always; over another plan's state or another lineage (another history),
 * or over a newer serial (the state moved on since), never without `force`; over the same
 * serial, only when the steps are the same (then nothing is written) or with `force`.
 * A forced import never takes the serial of a lineage back, so that a plan saved against
 * the state it replaces cannot apply on it: it is written one past the current serial.
 * A refusal is a UserError saying what differs and that `--force` overrides it.
 */
export async function decideImport(current: StateHead, incoming: IncomingState, rules: ImportRules): Promise<ImportDecision> {
  const { planName, what, force } = rules
  const overridden: string[] = []
  const refuse = (problem: string, hint: string): void => {
    if (!force) throw new UserError(`${problem}; ${hint}, or --force replaces the state anyway`)
    overridden.push(problem)
  }
  if (incoming.plan !== planName) refuse(`${what} is the state of plan "${incoming.plan}", not of "${planName}"`, 'check you have the right plan and state')
  if (current.lineage === '' || current.serial === 0) return { action: 'write', serial: incoming.serial, overridden }
  if (incoming.lineage !== current.lineage) {
    refuse(`${what} has lineage ${incoming.lineage} but the state of ${planName} has lineage ${current.lineage} (serial ${current.serial}): they are different histories`, 'check you have the right state')
    return { action: 'write', serial: incoming.serial, overridden }
  }
  if (incoming.serial < current.serial) {
    refuse(`${what} has serial ${incoming.serial}, older than the state's serial ${current.serial}: the state moved on since`, 'take a newer copy (bf state pull)')
    return { action: 'write', serial: current.serial + 1, overridden }
  }
  if (incoming.serial === current.serial) {
    if (await rules.sameSteps()) return overridden.length > 0 ? { action: 'write', serial: incoming.serial, overridden } : { action: 'unchanged' }
    refuse(`${what} has the state's serial ${current.serial} but other steps: it was changed by hand, or by another bf`, 'take a fresh copy (bf state pull)')
    return { action: 'write', serial: current.serial + 1, overridden }
  }
  return { action: 'write', serial: incoming.serial, overridden }
}
