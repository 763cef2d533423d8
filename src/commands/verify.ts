import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { openEngine } from '../cli/engine-wiring.js'
import { verifyAll } from '../engine/verify-all.js'
import { loadPlan } from '../plan/load.js'
import { renderVerifyReport, verifyReportToJson } from '../views/verify-report.js'

export default class Verify extends BfCommand {
  static override summary = 'Run the verification checks for every unit, read-only.'
  static override description = 'Duplicate keys and the ratio to the expected source per customer and batch, plus the plan\'s own checks. Exits 1 if any fails.'
  static override examples = ['<%= config.bin %> verify plans/2026.yaml', '<%= config.bin %> verify plans/2026.yaml --target us-east-1-prod/alaska-air --json']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }
  static override flags = {
    target: Flags.string({ summary: 'Only units under this address prefix.', multiple: true }),
    exclude: Flags.string({ summary: 'Leave out units under this address prefix.', multiple: true }),
    json: Flags.boolean({ summary: 'Machine output.', default: false }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Verify)
    const { spec } = await loadPlan(args.plan)
    const engine = await openEngine(spec)
    try {
      const report = await verifyAll(spec, engine.deps, { targets: flags.target ?? [], excludes: flags.exclude ?? [] })
      this.out(flags.json ? JSON.stringify(verifyReportToJson(report)) : renderVerifyReport(report, { color: this.useColor(flags['no-color']) }))
      if (report.failed.length > 0) this.exit(1)
    } finally {
      await engine.close()
    }
  }
}
