import { joinAddress } from '../plan/address.js'
import type { StepKind } from '../state/model.js'

type DeleteKind = 'delete' | 'await-mutation'

/** `delete`, `delete-2`, … (and `await-mutation`, `await-mutation-2`, …): the last part of a cluster's own delete steps. */
const CLUSTER_DELETE = /^(delete|await-mutation)(?:-([1-9][0-9]*))?$/

/** Addresses of the steps of a plan. Units are `cluster/customer/label`; steps hang below them. */
export const stepAddress = {
  check: (cluster: string): string => joinAddress(cluster, 'check'),
  customerStep: (cluster: string, customer: string, kind: DeleteKind): string => `${joinAddress(cluster, customer)}/${kind}`,
  unitStep: (unitAddress: string, kind: StepKind): string => `${unitAddress}/${kind}`,
  /** A delete of several customers (`delete.per: cluster`): `cluster/delete`, then `cluster/delete-2`, … when there are more. */
  clusterStep: (cluster: string, kind: DeleteKind, index: number): string => joinAddress(cluster, index === 1 ? kind : `${kind}-${index}`),
  /** The index of a cluster's delete (or await) address, 1 for `cluster/delete`; undefined for any other address. */
  clusterDeleteIndex(cluster: string, address: string, kind: DeleteKind): number | undefined {
    const prefix = `${joinAddress(cluster)}/`
    if (!address.startsWith(prefix)) return undefined
    const match = CLUSTER_DELETE.exec(address.slice(prefix.length))
    if (!match || match[1] !== kind) return undefined
    return match[2] === undefined ? 1 : Number(match[2])
  },
  /** Whether the last part of a two-part address names a cluster's own delete or await. */
  isClusterDeletePart: (part: string): boolean => CLUSTER_DELETE.test(part),
}
