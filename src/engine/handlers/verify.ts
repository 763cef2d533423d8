import { errorMessage } from '../../common/error-text.js'
import type { JsonValue } from '../../state/model.js'
import type { StepHandler, StepResult } from '../step-handler.js'
import { describeFailures, judgeFigures, runChecks } from '../verify-unit.js'
import { unitOf } from './job.js'

/** Verifies one unit: no duplicate keys, counts within the ratio bounds, custom checks hold. */
export const runVerify: StepHandler = async (step, context): Promise<StepResult> => {
  const { spec, deps } = context
  const unit = unitOf(step)
  try {
    const warehouse = await deps.warehouse(unit.cluster)
    const live = await warehouse.refresh({
      target: spec.target,
      ...(spec.expected ? { expected: spec.expected } : {}),
      customers: [{ id: unit.customer, window: { start: unit.batch.start, end: unit.batch.end } }],
      grid: spec.batch,
      unitsOnly: true,
    })
    const verdict = judgeFigures(spec, unit.address, live.unit(unit.customer, unit.batch.start))
    verdict.failures.push(...(await runChecks(spec, warehouse, unit)))
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
