import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { openEngine } from '../cli/engine-wiring.js'
import { buildStatus } from '../engine/status/build-status.js'
import { loadPlan } from '../plan/load.js'
import { renderStatus, statusToJson } from '../views/status.js'

export default class Status extends BfCommand {
  static override summary = 'How the backfill stands: who applies it, whether it is paused, progress per cluster, ETA.'
  static override description =
    'From the state alone, without asking ClickHouse: the apply holding the state\'s lock or lease (who, where, since when, when its lease expires, the CI run or pod it runs in), a pause (who, why), the units of each cluster verified, failed, drifted, running and to do, the elapsed time and an ETA from the durations so far, and the last step transitions.'
  static override examples = ['<%= config.bin %> status plans/2026.yaml', '<%= config.bin %> status plans/2026.yaml --json']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }
  static override flags = {
    json: Flags.boolean({ summary: 'Machine output.', default: false }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Status)
    const { spec } = await loadPlan(args.plan)
    const engine = await openEngine(spec)
    try {
      const status = await buildStatus(spec, engine.deps)
      this.out(flags.json ? JSON.stringify(statusToJson(status)) : renderStatus(status, { color: this.useColor(flags['no-color']) }))
    } finally {
      await engine.close()
    }
  }
}
