import { unitsOfCustomer } from '../plan/batches.js'
import type { PlanSpec } from '../plan/model.js'
import type { EngineDeps } from './deps.js'
import { isSelected } from './selection.js'
import type { Selection } from './selection.js'
import { judgeFigures, runChecks } from './verify-unit.js'
import type { VerifyReport } from './verify-model.js'

/**
 * Verifies every selected unit, read-only: one grouped refresh per cluster gives
 * duplicates and ratios; custom checks run per unit they apply to.
 */
export async function verifyAll(spec: PlanSpec, deps: EngineDeps, selection: Selection): Promise<VerifyReport> {
  const report: VerifyReport = { units: 0, failed: [], noData: [] }
  for (const cluster of spec.clusters) {
    const warehouse = await deps.warehouse(cluster.name)
    const live = await warehouse.refresh({
      target: spec.target,
      ...(spec.expected ? { expected: spec.expected } : {}),
      customers: cluster.customers,
      grid: spec.batch,
    })
    for (const customer of cluster.customers) {
      for (const unit of unitsOfCustomer(spec, cluster, customer)) {
        if (!isSelected(unit.address, selection)) continue
        report.units++
        const verdict = judgeFigures(spec, unit.address, live.unit(unit.customer, unit.batch.start))
        verdict.failures.push(...(await runChecks(spec, warehouse, unit)))
        if (verdict.failures.length > 0) report.failed.push({ ...verdict, ok: false })
        else if (verdict.noData) report.noData.push(unit.address)
      }
    }
  }
  return report
}
