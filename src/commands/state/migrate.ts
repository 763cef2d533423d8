import { stat } from 'node:fs/promises'
import path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../../cli/base-command.js'
import { openStateStore } from '../../cli/engine-wiring.js'
import { describeStateLocation, sameStateLocation } from '../../cli/state-location.js'
import { openTransferTarget } from '../../cli/transfer-target.js'
import { migrateState } from '../../engine/state-transfer/transfer.js'
import { UserError } from '../../errors.js'
import { loadPlan } from '../../plan/load.js'
import type { PlanSpec } from '../../plan/model.js'
import { openStateFolder } from '../../state/state-folder.js'
import type { StateStore } from '../../state/store.js'
import { renderImport, renderOverridden } from '../../views/state-transfer.js'

export default class StateMigrate extends BfCommand {
  static override summary = "Copy a state into the plan's state backend, keeping its lineage and serial."
  static override description =
    "--from names a state folder of the file backend (.bf/state/<plan name>) or another plan file, whose state is read from its own backend. Both states are locked while the copy is made. Refused when the plan already has a state of another lineage, or a newer one, unless --force. Changing the state key of a plan file does not move its state; this command does."
  static override examples = [
    '<%= config.bin %> state migrate plans/2026.yaml --from .bf/state/relabel-2026',
    '<%= config.bin %> state migrate plans/2026.yaml --from plans/2026-files.yaml',
  ]
  static override args = { plan: Args.string({ description: 'Plan file (YAML) whose state backend receives the state.', required: true }) }
  static override flags = {
    from: Flags.string({ summary: 'A state folder, or another plan file whose state to copy.', helpValue: 'DIR|PLAN', required: true }),
    force: Flags.boolean({ summary: 'Replace a state of another lineage or plan, or a newer one.', default: false }),
    'lock-timeout': Flags.string({ summary: 'Wait this long for each state lock.', default: '0s' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StateMigrate)
    const { spec } = await loadPlan(args.plan)
    const source = await openSource(flags.from, spec)
    const target = openTransferTarget(spec, { operation: 'state migrate', lockTimeout: flags['lock-timeout'], onWarning: (message) => this.err(`Warning: ${message}`) })
    try {
      const outcome = await migrateState(target, { source: source.store, what: source.what, force: flags.force })
      for (const warning of renderOverridden(outcome)) this.err(warning)
      this.out(renderImport(outcome, { verb: 'migrate', plan: spec.name, from: source.what, to: describeStateLocation(spec) }))
    } finally {
      await Promise.allSettled([target.close(), source.store.close()])
    }
  }
}

/** The state `--from` names: a state folder, or the state of another plan file wherever its backend keeps it. */
async function openSource(from: string, spec: PlanSpec): Promise<{ store: StateStore; what: string }> {
  const found = await stat(from).catch(() => undefined)
  if (!found) throw new UserError(`--from ${from}: no such state folder or plan file`)
  if (found.isDirectory()) {
    if (spec.state.backend === 'file' && path.resolve(from) === path.resolve(spec.statePath)) {
      throw new UserError(`${from} is the state folder of ${spec.source.file} itself: nothing to migrate`)
    }
    return { store: await openStateFolder(from), what: from }
  }
  const other = (await loadPlan(from)).spec
  if (sameStateLocation(other, spec)) throw new UserError(`${from} and ${spec.source.file} keep their state in the same place (${describeStateLocation(spec)}): nothing to migrate`)
  return { store: openStateStore(other), what: `${from} (${describeStateLocation(other)})` }
}
