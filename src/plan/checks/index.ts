import type { DataPath } from '../data-path.js'
import type { Finding } from '../finding.js'
import { customerEntries, discoveryFindings, duplicateCustomers, unknownCustomers } from './customers.js'
import { envRefFindings } from './env-refs.js'
import { jobFindings } from './job.js'
import { scheduleFindings, throttleFindings } from './operations.js'
import { stateFindings } from './state.js'
import { verifyFindings } from './verify.js'
import { windowFindings } from './windows.js'

/**
 * The rules JSON Schema cannot say: windows in order, customers known, templates and SQL
 * well formed. They read the data defensively, so they also run on a plan the schema
 * rejected, and every problem is reported in one go.
 */
export function semanticFindings(data: unknown, lineOf: (path: DataPath) => number): Finding[] {
  const customers = customerEntries(data)
  return [
    ...windowFindings(data),
    ...duplicateCustomers(customers, lineOf),
    ...unknownCustomers(data, customers),
    ...discoveryFindings(data),
    ...jobFindings(data),
    ...verifyFindings(data, lineOf),
    ...envRefFindings(data),
    ...scheduleFindings(data),
    ...throttleFindings(data),
    ...stateFindings(data),
  ]
}
