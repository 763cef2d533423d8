import { addressUnder } from '../plan/address.js'
import { UserError } from '../errors.js'

/** Which units a run covers: `--target` prefixes (none means all) minus `--exclude` prefixes. */
export interface Selection {
  targets: string[]
  excludes: string[]
}

export function isSelected(address: string, selection: Selection): boolean {
  if (selection.targets.length > 0 && !selection.targets.some((target) => addressUnder(address, target))) return false
  return !selection.excludes.some((exclude) => addressUnder(address, exclude))
}

/** True when some unit under `prefix` (a cluster or customer address) may be selected. */
export function mayTouch(prefix: string, selection: Selection): boolean {
  if (selection.excludes.some((exclude) => addressUnder(prefix, exclude))) return false
  if (selection.targets.length === 0) return true
  return selection.targets.some((target) => addressUnder(prefix, target) || addressUnder(target, prefix))
}

/** Targets must name something in the plan: a typo would otherwise select nothing, silently. */
export function checkTargetsExist(selection: Selection, known: (prefix: string) => boolean): void {
  for (const address of [...selection.targets, ...selection.excludes]) {
    if (!known(address.replace(/\/+$/, ''))) {
      throw new UserError(`${address}: no cluster, customer or unit of the plan has this address (addresses look like cluster/customer/2026-01-15)`)
    }
  }
}
