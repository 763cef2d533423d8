import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { openEngine } from '../cli/engine-wiring.js'
import { normalizeRefreshArgv, planFlags, planOptionsFrom } from '../cli/shared-flags.js'
import { withJobPreviews } from '../engine/job-previews.js'
import { operationWarnings, planOperations } from '../engine/gates/plan-operations.js'
import { planWithJobTemplates } from '../engine/job-templates.js'
import { loadPlan } from '../plan/load.js'
import { formatDiagnostic } from '../plan/diagnostics.js'
import { renderPlanHuman } from '../views/plan-human.js'
import { planJsonChunks } from '../views/plan-json.js'
import { renderPlanMarkdown } from '../views/plan-markdown.js'
import { serializeSavedPlan } from '../saved-plan/format.js'

/** Bytes gathered before each write: few writes, and no output held whole in memory. */
const WRITE_BYTES = 1 << 20

/** Writes `chunks` in writes of about `WRITE_BYTES`, waiting whenever the stream asks to. */
async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let pending = ''
  const flush = async (): Promise<void> => {
    if (!stream.write(pending)) await once(stream, 'drain')
    pending = ''
  }
  for (const chunk of chunks) {
    pending += chunk
    if (pending.length >= WRITE_BYTES) await flush()
  }
  if (pending.length > 0) await flush()
}

export default class Plan extends BfCommand {
  static override summary = 'Refresh, compare, and print what apply would do.'
  static override description =
    'Reads live figures from ClickHouse (a constant number of grouped queries per cluster), compares the plan file with the state, and prints every unit to backfill, re-run or forget, with reasons, and the steps that would run.'
  static override examples = [
    '<%= config.bin %> plan plans/2026.yaml',
    '<%= config.bin %> plan plans/2026.yaml --target us-east-1-prod/alaska-air --show-sql',
    '<%= config.bin %> plan plans/2026.yaml --markdown --detailed-exitcode > plan.md',
    '<%= config.bin %> plan plans/2026.yaml -o 2026.plan && bf apply 2026.plan',
  ]
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }
  static override flags = {
    ...planFlags,
    out: Flags.string({ char: 'o', summary: 'Save the plan to this file, for bf apply FILE.' }),
    markdown: Flags.boolean({ summary: 'A pull-request comment: summary first, details folded, at most 60,000 characters.', default: false, exclusive: ['json'] }),
    'detailed-exitcode': Flags.boolean({ summary: 'Exit 0 when there are no changes, 2 when there are, 1 on error.', default: false }),
    'show-sql': Flags.boolean({ summary: 'Show the exact statements, and the Job manifest or command each customer\'s jobs run.', default: false }),
    'server-dry-run': Flags.boolean({ summary: 'Also send each customer\'s first Job to the API server with dryRun: All and report rejections.', default: false }),
  }

  async run(): Promise<void> {
    this.argv = normalizeRefreshArgv(this.argv)
    const { args, flags } = await this.parse(Plan)
    const { spec, warnings } = await loadPlan(args.plan)
    for (const warning of warnings) this.err(`Warning: ${formatDiagnostic(warning)}`)
    const engine = await openEngine(spec)
    try {
      const options = planOptionsFrom(flags)
      const computed = await planWithJobTemplates(spec, engine.deps, options)
      for (const warning of engine.deps.state.warnings) this.err(`Warning: ${warning}`)
      const now = Date.now()
      const operations = await planOperations(spec, engine.deps, { refresh: options.refresh, now })
      const review = flags['show-sql'] || flags['server-dry-run']
      const previewed = review ? await withJobPreviews(spec, computed, engine.deps, flags['server-dry-run']) : computed
      const plan = { ...previewed, warnings: [...previewed.warnings, ...operationWarnings(operations)] }
      if (flags.json) await writeChunks(process.stdout, planJsonChunks(plan, operations))
      else if (flags.markdown) this.out(renderPlanMarkdown(plan))
      else this.out(renderPlanHuman(plan, { color: this.useColor(flags['no-color']), showSql: flags['show-sql'], operations, now }))
      if (flags.out) {
        await writeFile(flags.out, serializeSavedPlan(computed))
        if (!flags.json) this.err(`Saved the plan to ${flags.out}: bf apply ${flags.out}`)
      }
      if (plan.warnings.some((warning) => warning.severity === 'error')) this.exit(1)
      if (flags['detailed-exitcode'] && plan.summary.hasChanges) this.exit(2)
    } finally {
      await engine.close()
    }
  }
}
