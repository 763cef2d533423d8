import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../../cli/base-command.js'
import { StdoutWriter } from '../../cli/stdout-writer.js'
import { openTransferTarget } from '../../cli/transfer-target.js'
import { pullState } from '../../engine/state-transfer/transfer.js'
import { loadPlan } from '../../plan/load.js'

export default class StatePull extends BfCommand {
  static override summary = 'Print the whole state as JSON, taken under the state lock.'
  static override description =
    'The document is the state as a snapshot: {"formatVersion":1,"lineage":…,"serial":…,"plan":…,"steps":[…]}, one step per line, sorted by address within each customer (schemas/state.schema.json). bf state push reads it back; it can also be the snapshot.json of a state folder.'
  static override examples = ['<%= config.bin %> state pull plans/2026.yaml > relabel-2026.state.json']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }
  static override flags = {
    'lock-timeout': Flags.string({ summary: 'Wait this long for the state lock.', default: '0s' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatePull)
    const { spec } = await loadPlan(args.plan)
    const target = openTransferTarget(spec, { operation: 'state pull', lockTimeout: flags['lock-timeout'], onWarning: (message) => this.err(`Warning: ${message}`) })
    const stdout = new StdoutWriter()
    try {
      const pulled = await pullState(target, (chunk) => stdout.write(chunk))
      for (const warning of pulled.warnings) this.err(`Warning: ${warning}`)
    } catch (error) {
      // The reader went away (`bf state pull … | head`): what it wanted it has.
      if (!stdout.closed) throw error
    } finally {
      stdout.detach()
      await target.close()
    }
  }
}
