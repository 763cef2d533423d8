import { Args } from '@oclif/core'
import { BfCommand } from '../../cli/base-command.js'
import { withStateStore } from '../../cli/engine-wiring.js'
import { UserError } from '../../errors.js'
import { loadPlan } from '../../plan/load.js'
import { renderStateShow } from '../../views/state-views.js'

export default class StateShow extends BfCommand {
  static override summary = 'Everything recorded for one step: outputs, errors, fingerprint.'
  static override examples = ['<%= config.bin %> state show plans/2026.yaml us-east-1-prod/alaska-air/2026-01-15/job']
  static override args = {
    plan: Args.string({ description: 'Plan file (YAML).', required: true }),
    address: Args.string({ description: 'Step address.', required: true }),
  }

  async run(): Promise<void> {
    const { args } = await this.parse(StateShow)
    const { spec } = await loadPlan(args.plan)
    const state = await withStateStore(spec, (store) => store.read())
    const record = state.steps.get(args.address)
    if (!record) throw new UserError(`${args.address}: no such step in state (bf state list ${args.plan} shows them)`)
    this.out(renderStateShow(record))
  }
}
