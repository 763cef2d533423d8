import { Args } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { withStateStore } from '../cli/engine-wiring.js'
import { loadPlan } from '../plan/load.js'
import { describeLockHolder } from '../state/lock-held-error.js'

export default class Unlock extends BfCommand {
  static override summary = 'Remove a stale state lock, after showing who holds it.'
  static override description = 'Only for a lock whose holder is gone (a crashed machine, a killed CI job). A lock held by a live process on this host is taken over automatically when that process dies.'
  static override examples = ['<%= config.bin %> unlock plans/2026.yaml 5f0c…']
  static override args = {
    plan: Args.string({ description: 'Plan file (YAML).', required: true }),
    lockId: Args.string({ name: 'LOCK_ID', description: 'The id the lock error showed.', required: true }),
  }

  async run(): Promise<void> {
    const { args } = await this.parse(Unlock)
    const { spec } = await loadPlan(args.plan)
    const removed = await withStateStore(spec, (store) => store.forceUnlock(args.lockId))
    this.out(`Removed the lock ${describeLockHolder(removed)}`)
  }
}
