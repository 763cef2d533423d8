import { readFile } from 'node:fs/promises'
import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { confirmApply } from '../cli/confirm.js'
import { openEngine } from '../cli/engine-wiring.js'
import { progressView } from '../cli/progress.js'
import { lockTimeoutMs, normalizeRefreshArgv, planFlags, planOptionsFrom } from '../cli/shared-flags.js'
import { installStopSignals } from '../cli/stop-signals.js'
import { applyPlan } from '../engine/apply.js'
import { DEFAULT_EXECUTOR_OPTIONS } from '../engine/step-handler.js'
import { loadPlan } from '../plan/load.js'
import { formatDiagnostic } from '../plan/diagnostics.js'
import { renderPlanHuman } from '../views/plan-human.js'
import { parseSavedPlan } from '../saved-plan/format.js'
import { UserError } from '../errors.js'
import { leaseLostMessage } from '../views/progress/apply-summary.js'

export default class Apply extends BfCommand {
  static override summary = 'Plan, show the plan, ask, then execute it; or execute a saved plan.'
  static override description =
    'Holds the state lock for the whole run and records every step transition, so an interrupted apply resumes where it stopped. ' +
    'First Ctrl-C: start nothing new and let running steps reach a safe point. Second: stop now. ' +
    "Outside the plan's schedule, deletes and jobs wait for the next window; while a load check is over its limit, nothing new starts on that cluster; bf pause holds every new step until bf resume."
  static override examples = [
    '<%= config.bin %> apply plans/2026.yaml',
    '<%= config.bin %> apply plans/2026.yaml --auto-approve --target us-east-1-prod/alaska-air',
    '<%= config.bin %> plan plans/2026.yaml -o 2026.plan && <%= config.bin %> apply 2026.plan',
  ]
  static override args = { plan: Args.string({ description: 'Plan file (YAML), or a saved plan from bf plan -o.', required: true }) }
  static override flags = {
    ...planFlags,
    'auto-approve': Flags.boolean({ summary: 'Apply without asking.', default: false }),
    'allow-large-delete': Flags.boolean({ summary: 'Run deletes estimated above guards.maxDeleteRows or guards.maxRewriteBytes.', default: false }),
    'show-sql': Flags.boolean({ summary: 'Show the exact statements and job inputs in the plan shown.', default: false }),
    'ignore-schedule': Flags.boolean({ summary: "Start deletes and jobs outside the plan's schedule windows.", default: false }),
  }

  async run(): Promise<void> {
    this.argv = normalizeRefreshArgv(this.argv)
    const { args, flags } = await this.parse(Apply)
    const text = await readFile(args.plan, 'utf8').catch(() => '')
    const saved = text.trimStart().startsWith('{') ? parseSavedPlan(text, args.plan) : undefined
    const { spec, warnings } = await loadPlan(saved ? saved.plan.file : args.plan)
    for (const warning of warnings) this.err(`Warning: ${formatDiagnostic(warning)}`)
    const color = this.useColor(flags['no-color'])
    let workload = { jobs: 0, concurrency: 1 }
    const view = progressView({ json: flags.json, color, workload: () => workload })
    const stop = installStopSignals((signal, immediate) =>
      view.onEvent({ type: 'interrupt', signal, immediate, at: new Date().toISOString() }),
    )
    const engine = await openEngine(spec)
    try {
      const outcome = await applyPlan({
        spec,
        deps: engine.deps,
        source: saved ? { kind: 'saved', plan: saved } : { kind: 'plan', options: planOptionsFrom(flags) },
        executor: { ...DEFAULT_EXECUTOR_OPTIONS, allowLargeDelete: flags['allow-large-delete'], ignoreSchedule: flags['ignore-schedule'], ...(flags.concurrency ? { concurrency: flags.concurrency } : {}) },
        stop,
        lockTimeoutMs: lockTimeoutMs(flags['lock-timeout']),
        review: async (plan) => {
          workload = { jobs: plan.summary.steps.job ?? 0, concurrency: (flags.concurrency ?? spec.job.concurrency) * spec.clusters.length }
          if (!flags.json) this.out(renderPlanHuman(plan, { color, showSql: flags['show-sql'] }))
          return flags['auto-approve'] || (await confirmApply())
        },
        listeners: [(event) => view.onEvent(event)],
        onWarning: (message) => {
          view.flush()
          this.err(`Warning: ${message}`)
        },
      })
      view.close()
      if (outcome.kind === 'no-changes') {
        if (!flags.json) this.out(renderPlanHuman(outcome.plan, { color, showSql: false }))
        return
      }
      if (outcome.kind === 'cancelled') {
        this.err('Apply cancelled.')
        this.exit(1)
      }
      if (outcome.kind === 'applied') {
        if (outcome.result.leaseLost) throw new UserError(leaseLostMessage(outcome.result.leaseLost))
        if (outcome.result.failed > 0 || outcome.result.interrupted) this.exit(1)
      }
    } finally {
      view.flush()
      stop.dispose()
      await engine.close()
    }
  }
}
