import { errorMessage } from '../../common/error-text.js'
import type { JsonValue } from '../../state/model.js'
import type { StepHandler, StepResult } from '../step-handler.js'
import { describeFailures, judgeFigures, runChecks } from '../verify-unit.js'
import { unitOf } from './job.js'

/**
 * Verifies one unit: no duplicate keys, counts within the ratio bounds, custom checks hold.
 * Its figures come from a query its cluster's batcher groups with other units'; the
 * judgement and the outputs are its own.
 */
export const runVerify: StepHandler = async (step, context): Promise<StepResult> => {
  const { spec, deps } = context
  const unit = unitOf(step)
  try {
    const [warehouse, verifies] = await Promise.all([deps.warehouse(unit.cluster), context.verifies(unit.cluster)])
    const figures = await verifies.figures({ customer: unit.customer, window: { start: unit.batch.start, end: unit.batch.end } })
    const verdict = judgeFigures(spec, unit.address, figures)
    verdict.failures.push(...(await verifies.checks(() => runChecks(spec, warehouse, unit))))
    const outputs: Record<string, JsonValue> = { rows: verdict.rows, keys: verdict.keys, duplicates: verdict.duplicates }
    if (verdict.expected !== undefined) outputs.expected = verdict.expected
    if (verdict.ratio !== undefined) outputs.ratio = verdict.ratio
    if (verdict.noData) outputs.noData = true
    if (verdict.failures.length > 0) return { status: 'failed', error: describeFailures(verdict.failures), outputs }
    return { status: 'succeeded', outputs }
  } catch (error) {
    return { status: 'failed', error: errorMessage(error) }
  }
}
