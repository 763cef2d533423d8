import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../../cli/base-command.js'
import { openMigrationSource } from '../../cli/migration-source.js'
import { describeStateLocation } from '../../cli/state-location.js'
import { openTransferTarget } from '../../cli/transfer-target.js'
import { migrateState } from '../../engine/state-transfer/transfer.js'
import { loadPlan } from '../../plan/load.js'
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
    const source = await openMigrationSource(flags.from, spec)
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
