import { writeFile } from 'node:fs/promises'
import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { openEngine } from '../cli/engine-wiring.js'
import { normalizeRefreshArgv } from '../cli/shared-flags.js'
import { buildReport } from '../engine/report/build-report.js'
import { loadPlan } from '../plan/load.js'
import { formatDiagnostic } from '../plan/diagnostics.js'
import { reportSummary } from '../views/report/summary.js'
import { renderReportHtml } from '../views/report/render-report.js'

export default class Report extends BfCommand {
  static override summary = 'Write the backfill at a glance as one HTML page.'
  static override description =
    'Per cluster, a grid of customers × batches coloured by status (verified, failed, running, to do, drifted), the header with totals, elapsed time and ETA, and the deletes with each replica\'s mutations. One self-contained file: no server, no network request; open it, attach it, or host it statically.'
  static override examples = ['<%= config.bin %> report plans/2026.yaml -o report.html', '<%= config.bin %> report plans/2026.yaml -o report.html --refresh=false']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }
  static override flags = {
    out: Flags.string({ char: 'o', summary: 'The HTML file to write.', required: true }),
    refresh: Flags.boolean({ summary: 'Read live figures from ClickHouse to show drift (--refresh=false reports from state alone).', default: true, allowNo: true }),
  }

  async run(): Promise<void> {
    this.argv = normalizeRefreshArgv(this.argv)
    const { args, flags } = await this.parse(Report)
    const { spec, warnings } = await loadPlan(args.plan)
    for (const warning of warnings) this.err(`Warning: ${formatDiagnostic(warning)}`)
    const engine = await openEngine(spec)
    try {
      const model = await buildReport(spec, engine.deps, { refresh: flags.refresh })
      for (const warning of engine.deps.state.warnings) this.err(`Warning: ${warning}`)
      await writeFile(flags.out, renderReportHtml(model))
      this.out(`Wrote ${flags.out}: ${reportSummary(model)}`)
    } finally {
      await engine.close()
    }
  }
}
