import { joinAddress } from '../plan/address.js'
import type { StepKind } from '../state/model.js'

/** Addresses of the steps of a plan. Units are `cluster/customer/label`; steps hang below them. */
export const stepAddress = {
  check: (cluster: string): string => joinAddress(cluster, 'check'),
  customerStep: (cluster: string, customer: string, kind: 'delete' | 'await-mutation'): string => `${joinAddress(cluster, customer)}/${kind}`,
  unitStep: (unitAddress: string, kind: StepKind): string => `${unitAddress}/${kind}`,
}
