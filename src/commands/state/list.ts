import { Args } from '@oclif/core'
import { BfCommand } from '../../cli/base-command.js'
import { withStateStore } from '../../cli/engine-wiring.js'
import { loadPlan } from '../../plan/load.js'
import { renderStateList } from '../../views/state-views.js'

export default class StateList extends BfCommand {
  static override summary = 'One line per step in state: address, status, attempts, finished at.'
  static override examples = ['<%= config.bin %> state list plans/2026.yaml']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }

  async run(): Promise<void> {
    const { args } = await this.parse(StateList)
    const { spec } = await loadPlan(args.plan)
    const state = await withStateStore(spec, (store) => store.read())
    this.out(renderStateList([...state.steps.values()]))
  }
}
