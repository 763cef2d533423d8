import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../../cli/base-command.js'
import { openStateStore } from '../../cli/engine-wiring.js'
import { lockTimeoutMs } from '../../cli/shared-flags.js'
import { UserError } from '../../errors.js'
import { loadPlan } from '../../plan/load.js'

export default class StateRm extends BfCommand {
  static override summary = 'Forget steps: they will be planned again.'
  static override examples = ['<%= config.bin %> state rm plans/2026.yaml us-east-1-prod/alaska-air/2026-01-15/job us-east-1-prod/alaska-air/2026-01-15/verify']
  static override strict = false
  static override args = {
    plan: Args.string({ description: 'Plan file (YAML).', required: true }),
    address: Args.string({ description: 'Step addresses to forget.', required: true }),
  }
  static override flags = {
    'lock-timeout': Flags.string({ summary: 'Wait this long for the state lock.', default: '0s' }),
  }

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(StateRm)
    const addresses = (argv as string[]).slice(1)
    const { spec } = await loadPlan(args.plan)
    const store = openStateStore(spec)
    const lock = await store.lock({ operation: 'state rm', timeoutMs: lockTimeoutMs(flags['lock-timeout']), onWarning: (message) => this.err(`Warning: ${message}`) })
    try {
      const state = await store.read()
      const missing = addresses.filter((address) => !state.steps.has(address))
      if (missing.length > 0) throw new UserError(`not in state: ${missing.join(', ')} (nothing was removed)`)
      for (const address of addresses) await store.append({ type: 'forgotten', address, at: new Date().toISOString() })
      this.out(`Removed ${addresses.length} step(s) from state.`)
    } finally {
      await lock.release()
      await store.close()
    }
  }
}
