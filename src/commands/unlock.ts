import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { confirm } from '../cli/confirm.js'
import { openStateStore } from '../cli/engine-wiring.js'
import { loadPlan } from '../plan/load.js'
import { lockToRemove, unlockRefusal } from '../engine/lock-to-remove.js'
import { describeLockHolder } from '../state/lock-held-error.js'
import { renderLockHolder } from '../views/lock-holder.js'

export default class Unlock extends BfCommand {
  static override summary = 'Remove a stale state lock, after showing who holds it and asking.'
  static override description =
    'Only for a lock whose holder is gone (a crashed machine, a killed CI job): another bf could then change the state while it still runs. ' +
    'Refuses a holder that runs on this host or whose lease is being renewed, unless --force. ' +
    'A lock of a process on this host that has ended, or a lease that expired, is taken over by the next bf apply on its own.'
  static override examples = ['<%= config.bin %> unlock plans/2026.yaml 5f0c…', '<%= config.bin %> unlock plans/2026.yaml 5f0c… --force']
  static override args = {
    plan: Args.string({ description: 'Plan file (YAML).', required: true }),
    lockId: Args.string({ name: 'LOCK_ID', description: 'The id the lock error showed.', required: true }),
  }
  static override flags = {
    force: Flags.boolean({ summary: 'Remove the lock without asking, even when its holder looks alive.', default: false }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Unlock)
    const { spec } = await loadPlan(args.plan)
    const store = openStateStore(spec)
    try {
      const holder = await lockToRemove(store, args.lockId)
      this.out(renderLockHolder(holder))
      if (!flags.force) {
        const refusal = unlockRefusal(holder)
        if (refusal) throw refusal
        const question = 'Do you really want to force-unlock? Another bf may then change the state while this holder still runs.'
        if (!(await confirm(question, 'stdin is not a terminal, so bf cannot ask for confirmation: pass --force to unlock without the prompt'))) {
          this.err('Unlock cancelled; the lock is still held.')
          this.exit(1)
        }
      }
      const removed = await store.forceUnlock(args.lockId)
      this.out(`Removed the lock ${describeLockHolder(removed)}`)
    } finally {
      await store.close()
    }
  }
}
