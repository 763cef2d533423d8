import { unitsOfCustomer } from '../plan/batches.js'
import type { PlanSpec, Unit } from '../plan/model.js'
import type { EngineDeps } from './deps.js'
import { resolveCustomers } from './resolve-customers.js'
import { isSelected } from './selection.js'
import type { Selection } from './selection.js'
import { groupsOf, VERIFY_GROUP_CAP } from './verify-batcher.js'
import { judgeFigures, runChecks } from './verify-unit.js'
import type { VerifyReport } from './verify-model.js'

/**
 * Verifies every selected unit, read-only, grouped as an apply's verify steps are: one
 * figures query per table for up to `VERIFY_GROUP_CAP` units gives duplicates and ratios;
 * custom checks run per unit they apply to.
 */
export async function verifyAll(file: PlanSpec, deps: EngineDeps, selection: Selection): Promise<VerifyReport> {
  // A discovering cluster's units are those of the customers it finds now.
  const spec = await resolveCustomers(file, deps, true, () => Promise.resolve(new Map()))
  const report: VerifyReport = { units: 0, failed: [], noData: [] }
  const tables = { target: spec.target, ...(spec.expected ? { expected: spec.expected } : {}), grid: spec.batch }
  for (const cluster of spec.clusters) {
    const warehouse = await deps.warehouse(cluster.name)
    const units: Unit[] = []
    for (const customer of cluster.customers) {
      for (const unit of unitsOfCustomer(spec, cluster, customer)) if (isSelected(unit.address, selection)) units.push(unit)
    }
    for (const group of groupsOf(units, VERIFY_GROUP_CAP)) {
      const figures = await warehouse.unitFigures({ ...tables, units: group.map((unit) => ({ customer: unit.customer, window: { start: unit.batch.start, end: unit.batch.end } })) })
      for (const [at, unit] of group.entries()) {
        report.units++
        const verdict = judgeFigures(spec, unit.address, figures[at]!)
        verdict.failures.push(...(await runChecks(spec, warehouse, unit)))
        if (verdict.failures.length > 0) report.failed.push({ ...verdict, ok: false })
        else if (verdict.noData) report.noData.push(unit.address)
      }
    }
  }
  return report
}
