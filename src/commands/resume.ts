import { Args } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { withStateStore } from '../cli/engine-wiring.js'
import { loadPlan } from '../plan/load.js'
import { describePause } from '../views/pause-text.js'

export default class Resume extends BfCommand {
  static override summary = 'Resume a paused plan: a running apply starts steps again within a few seconds.'
  static override examples = ['<%= config.bin %> resume plans/2026.yaml']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }

  async run(): Promise<void> {
    const { args } = await this.parse(Resume)
    const { spec } = await loadPlan(args.plan)
    const removed = await withStateStore(spec, (store) => store.resume())
    this.out(removed ? `Resumed ${spec.name} (${describePause(removed)}).` : `${spec.name} was not paused.`)
  }
}
