import os from 'node:os'
import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { withStateStore } from '../cli/engine-wiring.js'
import { loadPlan } from '../plan/load.js'
import { currentUser } from '../state/lock.js'

export default class Pause extends BfCommand {
  static override summary = 'Pause a plan: a running apply, wherever it runs, starts no new step until resumed.'
  static override description =
    'Recorded beside the state, so an apply that is running sees it within a few seconds: steps already running finish, nothing new starts. bf plan shows who paused and why; bf resume lets the apply go on.'
  static override examples = ['<%= config.bin %> pause plans/2026.yaml --reason "inserts are being rejected on us-east-1-prod"', '<%= config.bin %> resume plans/2026.yaml']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }
  static override flags = {
    reason: Flags.string({ summary: 'Why, shown to whoever looks at the plan or its apply.', default: '' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pause)
    const { spec } = await loadPlan(args.plan)
    const info = { who: currentUser(), host: os.hostname(), pid: process.pid, reason: flags.reason, since: new Date().toISOString() }
    await withStateStore(spec, (store) => store.pause(info))
    this.out(`Paused ${spec.name}: a running apply starts nothing new within a few seconds; running steps finish. Go on with: bf resume ${args.plan}`)
  }
}
