import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../../cli/base-command.js'
import { describeStateLocation } from '../../cli/state-location.js'
import { openTransferTarget } from '../../cli/transfer-target.js'
import { pushState } from '../../engine/state-transfer/transfer.js'
import { loadPlan } from '../../plan/load.js'
import { readStateDocument } from '../../state/state-document.js'
import { renderImport, renderOverridden } from '../../views/state-transfer.js'

export default class StatePush extends BfCommand {
  static override summary = 'Replace the state with a file bf state pull wrote, under the state lock.'
  static override description =
    'Refused when the file is the state of another plan, of another lineage (another history), or older than the state (a smaller serial), or has the state\'s serial but other steps; --force replaces the state anyway, and never takes its serial back (an older file is written one past the current serial, so a plan saved before cannot apply on it).'
  static override examples = ['<%= config.bin %> state push plans/2026.yaml relabel-2026.state.json']
  static override args = {
    plan: Args.string({ description: 'Plan file (YAML).', required: true }),
    file: Args.string({ description: 'State file (JSON, as bf state pull prints it).', required: true }),
  }
  static override flags = {
    force: Flags.boolean({ summary: 'Replace the state even when the file is of another plan or lineage, or older.', default: false }),
    'lock-timeout': Flags.string({ summary: 'Wait this long for the state lock.', default: '0s' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatePush)
    const { spec } = await loadPlan(args.plan)
    const incoming = await readStateDocument(args.file)
    const target = openTransferTarget(spec, { operation: 'state push', lockTimeout: flags['lock-timeout'], onWarning: (message) => this.err(`Warning: ${message}`) })
    try {
      const outcome = await pushState(target, { incoming, what: args.file, force: flags.force })
      for (const warning of renderOverridden(outcome)) this.err(warning)
      this.out(renderImport(outcome, { verb: 'push', plan: spec.name, from: args.file, to: describeStateLocation(spec) }))
    } finally {
      await target.close()
    }
  }
}
