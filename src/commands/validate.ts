import { Args } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { loadPlan } from '../plan/load.js'
import { formatDiagnostic } from '../plan/diagnostics.js'
import { renderValidation } from '../views/validation.js'

export default class Validate extends BfCommand {
  static override summary = 'Load and check a plan file.'
  static override description = 'Reads the plan file, checks it against the plan language and reports every error at once, with file:line:col. Environment variables the plan refers to are listed, not required.'
  static override examples = ['<%= config.bin %> validate plans/2026.yaml']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }

  async run(): Promise<void> {
    const { args } = await this.parse(Validate)
    const { spec, warnings } = await loadPlan(args.plan)
    for (const warning of warnings) this.err(`Warning: ${formatDiagnostic(warning)}`)
    this.out(renderValidation(spec))
  }
}
