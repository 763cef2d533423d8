import { isDeepStrictEqual } from 'node:util'
import type { StepRecord } from '../../state/model.js'
import { byCustomerFromSnapshot } from '../../state/read-by-customer.js'
import { StateOrderError } from '../../state/state-order-error.js'
import type { StateStore } from '../../state/store.js'

/** Whether the state `reader` reads holds exactly `steps`, compared a customer at a time. */
export async function sameSteps(reader: StateStore, steps: ReadonlyMap<string, StepRecord>): Promise<boolean> {
  try {
    return await compare(await reader.readByCustomer(), steps)
  } catch (error) {
    if (!(error instanceof StateOrderError)) throw error
    // A snapshot edited by hand: read whole instead.
    return compare(byCustomerFromSnapshot(await reader.read()), steps)
  }
}

async function compare(state: Awaited<ReturnType<StateStore['readByCustomer']>>, steps: ReadonlyMap<string, StepRecord>): Promise<boolean> {
  let count = 0
  for await (const group of state.groups()) {
    for (const [address, record] of group.steps) {
      count++
      if (!isDeepStrictEqual(record, steps.get(address))) return false
    }
  }
  return count === steps.size
}
