import { stat } from 'node:fs/promises'
import path from 'node:path'
import { UserError } from '../errors.js'
import { loadPlan } from '../plan/load.js'
import type { PlanSpec } from '../plan/model.js'
import { openStateFolder } from '../state/state-folder.js'
import type { StateStore } from '../state/store.js'
import { openStateStore } from './engine-wiring.js'
import { describeStateLocation, sameStateLocation } from './state-location.js'

/** The state `--from` names: a state folder, or the state of another plan file wherever its backend keeps it. */
export async function openMigrationSource(from: string, spec: PlanSpec): Promise<{ store: StateStore; what: string }> {
  if (spec.state.backend === 'file' && path.resolve(from) === path.resolve(spec.statePath)) {
    throw new UserError(`${from} is the state folder of ${spec.source.file} itself: nothing to migrate`)
  }
  const found = await stat(from).catch(() => undefined)
  if (!found) throw new UserError(`--from ${from}: no such state folder or plan file`)
  if (found.isDirectory()) return { store: await openStateFolder(from), what: from }
  const other = (await loadPlan(from)).spec
  if (sameStateLocation(other, spec)) throw new UserError(`${from} and ${spec.source.file} keep their state in the same place (${describeStateLocation(spec)}): nothing to migrate`)
  return { store: openStateStore(other), what: `${from} (${describeStateLocation(other)})` }
}
