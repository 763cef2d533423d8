import { Args, Flags } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'
import { openEngine } from '../cli/engine-wiring.js'
import { normalizeRefreshArgv, planFlags, planOptionsFrom } from '../cli/shared-flags.js'
import { computePlan } from '../engine/planner.js'
import { loadPlan } from '../plan/load.js'
import { renderGraphDot, renderGraphMermaid } from '../views/graph.js'
import { planSummaryLine } from '../views/plan-totals.js'

export default class Graph extends BfCommand {
  static override summary = 'Print the step graph apply would walk.'
  static override examples = ['<%= config.bin %> graph plans/2026.yaml', '<%= config.bin %> graph plans/2026.yaml --format dot | dot -Tsvg > graph.svg']
  static override args = { plan: Args.string({ description: 'Plan file (YAML).', required: true }) }
  static override flags = {
    format: Flags.string({ summary: 'Graph language.', options: ['mermaid', 'dot'], default: 'mermaid' }),
    target: planFlags.target,
    exclude: planFlags.exclude,
    select: planFlags.select,
    refresh: planFlags.refresh,
  }

  async run(): Promise<void> {
    this.argv = normalizeRefreshArgv(this.argv)
    const { args, flags } = await this.parse(Graph)
    const { spec } = await loadPlan(args.plan)
    const engine = await openEngine(spec)
    try {
      const plan = await computePlan(spec, engine.deps, planOptionsFrom(flags))
      this.out(flags.format === 'dot' ? renderGraphDot(plan.steps) : renderGraphMermaid(plan.steps))
      if (plan.steps.length === 0) this.err(`The graph is empty: no step would run. ${planSummaryLine(plan)}`)
    } finally {
      await engine.close()
    }
  }
}
