import { joinAddress, splitAddress } from '../plan/address.js'
import { unitsOfCustomer } from '../plan/batches.js'
import type { Diagnostic } from '../plan/diagnostics.js'
import type { ClusterSpec, CustomerSpec, PlanSpec } from '../plan/model.js'
import { UserError } from '../errors.js'
import type { StateSnapshot, StepRecord } from '../state/model.js'
import { byCustomerFromSnapshot } from '../state/read-by-customer.js'
import { StateOrderError } from '../state/state-order-error.js'
import type { StateByCustomer } from '../state/store.js'
import type { LiveFigures } from '../warehouse/warehouse.js'
import { decideUnit } from './decide-unit.js'
import type { UnitDecision } from './decide-unit.js'
import type { EngineDeps } from './deps.js'
import { fingerprint } from './fingerprint.js'
import { forgottenDeleteWarnings, noteRemovedCustomerJobs, orphanedSteps, planIndex, removedFromClusterDeleteWarnings } from './forget.js'
import type { SucceededJobs } from './forget.js'
import type { ComputedPlan, PlannedStep, PlannedUnit } from './plan-model.js'
import { summarizePlan } from './plan-summary.js'
import { decideCustomer, planCustomer } from './plan-customer.js'
import type { PendingCustomer } from './plan-customer.js'
import { planClusterDeletes } from './cluster-deletes.js'
import { estimateRewrites } from './rewrite-estimate.js'
import { PlanMemo } from './plan-memo.js'
import { discoveredCustomers, discoveryWarnings, noteGroup, recordedCustomers, recordedCustomersIn, resolveCustomers } from './resolve-customers.js'
import type { CustomerPlan } from './plan-customer.js'
import { clusterWarnings, noDataWarning } from './plan-warnings.js'
import { checkTargetsExist, isSelected, mayTouch } from './selection.js'
import type { Selection } from './selection.js'
import { stepAddress } from './step-addresses.js'
import { verifyInputs } from './step-inputs.js'

export interface PlanOptions {
  selection: Selection
  /** `drifted`: only units whose live figures are wrong. */
  select: 'all' | 'drifted'
  /** False: plan from state alone, no ClickHouse queries. */
  refresh: boolean
  /** Job template fingerprint per cluster: part of the job inputs with `onTemplateChange: rerun`. */
  jobTemplates?: ReadonlyMap<string, string>
  /** Sees every group of recorded steps as planning reads it (what the last apply recorded). */
  observeSteps?(steps: ReadonlyMap<string, StepRecord>): void
}

function customersInPlay(spec: PlanSpec, cluster: ClusterSpec, selection: Selection): CustomerSpec[] {
  return cluster.customers.filter((customer) => mayTouch(joinAddress(cluster.name, customer.id), selection))
}

async function refreshCluster(spec: PlanSpec, deps: EngineDeps, cluster: ClusterSpec, customers: CustomerSpec[]): Promise<LiveFigures> {
  const warehouse = await deps.warehouse(cluster.name)
  return warehouse.refresh({
    target: spec.target,
    ...(spec.expected ? { expected: spec.expected } : {}),
    customers,
    grid: spec.batch,
  })
}

function knownAddress(spec: PlanSpec): (prefix: string) => boolean {
  return (prefix) => {
    const parts = prefix.split('/')
    const cluster = spec.clusters.find((candidate) => candidate.name === parts[0])
    if (!cluster) return false
    if (parts.length === 1) return true
    const customer = cluster.customers.find((candidate) => joinAddress(candidate.id) === parts[1])
    if (!customer) return false
    if (parts.length === 2) return true
    return [...unitsOfCustomer(spec, cluster, customer)].some((unit) => unit.address === prefix)
  }
}

/** Appends one by one: spreading a cluster's steps into `push` overflows the stack past ~100,000. */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item)
}

/** The steps of a cluster's customers with no dependency inside their customer: canaries' and the others'. */
interface ClusterRoots {
  checkAddress: string
  canary: PlannedStep[]
  gated: PlannedStep[]
}

/** A customer planned, or (`delete.per: cluster`) decided and waiting for its cluster's deletes. */
type CustomerResult = { plan: CustomerPlan } | { pending: PendingCustomer }

/** A customer the plan covers, found by the group key of its steps in the state. */
interface CustomerInPlay {
  cluster: ClusterSpec
  customer: CustomerSpec
  result?: CustomerResult
}

/** What planning needs besides the state. */
interface PlanningContext {
  spec: PlanSpec
  deps: EngineDeps
  options: PlanOptions
  clusters: { cluster: ClusterSpec; customers: CustomerSpec[] }[]
  /** Each cluster's live figures once its refresh is done; undefined without refresh. */
  liveOf(cluster: string): Promise<LiveFigures | undefined>
  memo: PlanMemo
}

const NO_STEPS: ReadonlyMap<string, StepRecord> = new Map()

/** Whether the customer's units wait on deletes of its cluster: `delete.per: cluster`, canaries excepted (they delete first, on their own). */
function onClusterDelete(spec: PlanSpec, customer: CustomerSpec): boolean {
  return spec.delete !== false && spec.delete.per === 'cluster' && !spec.rollout.canary.includes(customer.id)
}

async function planOneCustomer(context: PlanningContext, cluster: ClusterSpec, customer: CustomerSpec, records: ReadonlyMap<string, StepRecord>): Promise<CustomerResult> {
  const { spec, deps, options } = context
  const { selection } = options
  const live = await context.liveOf(cluster.name)
  const { memo } = context
  const verifyFingerprint = fingerprint(verifyInputs(spec, customer.id), memo.fingerprints)
  const decideContext = { spec, steps: records, verifyFingerprint, memo, ...(live ? { live } : {}) }
  const decisions: UnitDecision[] = []
  for (const unit of unitsOfCustomer(spec, cluster, customer, memo.batches)) decisions.push(decideUnit(unit, decideContext))
  const inSelection = (decision: UnitDecision): boolean => isSelected(decision.unit.address, selection)
  const wanted = (decision: UnitDecision): boolean => inSelection(decision) && (options.select === 'all' || decision.drifted)
  const customerContext = { spec, cluster, customer, steps: records, deleteStatement: deps.deleteStatement, verifyFingerprint, memo }
  if (onClusterDelete(spec, customer)) return { pending: decideCustomer(customerContext, decisions, { inSelection, wanted }) }
  return { plan: planCustomer(customerContext, decisions, { inSelection, wanted }) }
}

/** Keeps the records of a cluster's own delete steps (`c/delete`, `c/await-mutation-2`, …), a group each. */
function keepClusterDeletes(key: string, steps: ReadonlyMap<string, StepRecord>, into: Map<string, Map<string, StepRecord>>): void {
  if (key.endsWith('/')) return
  const parts = splitAddress(key)
  if (parts.length !== 2 || !stepAddress.isClusterDeletePart(parts[1] ?? '')) return
  const cluster = parts[0] ?? ''
  let records = into.get(cluster)
  if (!records) into.set(cluster, (records = new Map()))
  for (const [address, record] of steps) records.set(address, record)
}

const byAddress = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The key of a customer's group of steps in the state (`groupKeyOf` in the state's terms). */
const customerKey = (cluster: ClusterSpec, customer: CustomerSpec): string => `${joinAddress(cluster.name, customer.id)}/`

/**
 * Plans from a state handed out a customer at a time: each group of steps is planned (or
 * checked for steps that left the plan file) and let go before the next is read.
 */
async function planFromState(context: PlanningContext, state: StateByCustomer): Promise<ComputedPlan> {
  const { spec, deps, options } = context
  const { selection } = options
  const inPlay = new Map<string, CustomerInPlay>()
  for (const { cluster, customers } of context.clusters) {
    for (const customer of customers) inPlay.set(customerKey(cluster, customer), { cluster, customer })
  }

  const index = planIndex(spec)
  const recorded = new Map<string, Set<string>>()
  const forgottenUnits = new Set<string>()
  const forgetSteps: string[] = []
  const forgetWarnings: Diagnostic[] = []
  // A cluster's own deletes are few: kept until its customers' deletes are planned.
  const clusterRecords = new Map<string, Map<string, StepRecord>>()
  // Of customers no longer in the plan file: which units' jobs succeeded, for their cluster's deletes.
  const removedJobs: SucceededJobs = new Map()
  for await (const group of state.groups()) {
    options.observeSteps?.(group.steps)
    noteGroup(recorded, group.key)
    const target = inPlay.get(group.key)
    if (target) target.result = await planOneCustomer(context, target.cluster, target.customer, group.steps)
    else noteRemovedCustomerJobs(index, group.key, group.steps, removedJobs)
    keepClusterDeletes(group.key, group.steps, clusterRecords)
    const orphans = orphanedSteps(index, group.steps)
    const groupForget = [...orphans.others]
    for (const [unit, unitSteps] of orphans.units) {
      if (!isSelected(unit, selection)) continue
      forgottenUnits.add(unit)
      appendAll(groupForget, unitSteps)
    }
    appendAll(forgetSteps, groupForget)
    appendAll(forgetWarnings, forgottenDeleteWarnings(spec, group.steps, groupForget))
  }

  const units: PlannedUnit[] = []
  const steps: PlannedStep[] = []
  const warnings: Diagnostic[] = []
  const canaries = new Set(spec.rollout.canary)
  const canaryVerifies: string[] = []
  const wiring: ClusterRoots[] = []

  for (const { cluster, customers } of context.clusters) {
    const live = await context.liveOf(cluster.name)
    const clusterSteps: PlannedStep[] = []
    const clusterRoots: ClusterRoots = { checkAddress: stepAddress.check(cluster.name), canary: [], gated: [] }
    const withoutData: string[] = []
    const results: { customer: CustomerSpec; result: CustomerResult }[] = []
    for (const customer of customers) {
      // A customer with nothing recorded has no group in the state.
      const result = inPlay.get(customerKey(cluster, customer))?.result ?? (await planOneCustomer(context, cluster, customer, NO_STEPS))
      results.push({ customer, result })
    }
    const pending = results.flatMap(({ result }) => ('pending' in result ? [result.pending] : []))
    const shared = pending.length > 0 ? planClusterDeletes({ spec, cluster, pending, records: clusterRecords.get(cluster.name) ?? NO_STEPS, deleteStatement: deps.deleteStatement, memo: context.memo }) : undefined
    if (shared) {
      appendAll(clusterSteps, shared.steps)
      const roots = new Set(shared.roots)
      for (const step of shared.steps) if (roots.has(step.address)) clusterRoots.gated.push(step)
    }
    let finished = 0
    for (const { customer, result } of results) {
      const planned = 'plan' in result ? result.plan : (shared?.plans[finished++] as CustomerPlan)
      appendAll(units, planned.units)
      appendAll(clusterSteps, planned.steps)
      if (planned.noData) withoutData.push(customer.id)
      const isCanary = canaries.has(customer.id)
      const roots = new Set(planned.roots)
      for (const step of planned.steps) {
        if (roots.has(step.address)) (isCanary ? clusterRoots.canary : clusterRoots.gated).push(step)
        if (isCanary && step.kind === 'verify') canaryVerifies.push(step.address)
      }
    }
    if (clusterSteps.length > 0) {
      const inputs = { target: `${spec.target.database}.${spec.target.table}`, guards: { ...spec.guards } }
      steps.push({ address: clusterRoots.checkAddress, kind: 'check', dependsOn: [], cluster: cluster.name, fingerprint: fingerprint(inputs), inputs })
      appendAll(steps, clusterSteps)
      wiring.push(clusterRoots)
    }
    if (live?.target) warnings.push(...(await estimateRewrites(spec, cluster, await deps.warehouse(cluster.name), clusterSteps)))
    if (live) warnings.push(...clusterWarnings(spec, cluster, live, clusterSteps))
    const noData = noDataWarning(spec, cluster, withoutData)
    if (noData) warnings.push(noData)
  }
  // Every root waits on its cluster's check; canaries gate every other customer, on every cluster.
  for (const { checkAddress, canary, gated } of wiring) {
    for (const step of canary) step.dependsOn = [checkAddress, ...step.dependsOn]
    for (const step of gated) step.dependsOn = [checkAddress, ...canaryVerifies, ...step.dependsOn]
  }

  const discovered = discoveredCustomers(spec, options.refresh, recorded)
  const gone = new Set(discovered.flatMap((entry) => entry.gone.map((customer) => joinAddress(entry.cluster, customer))))
  for (const unit of [...forgottenUnits].sort(byAddress)) {
    const [clusterName = '', customer = ''] = unit.split('/')
    const reason = gone.has(`${clusterName}/${customer}`) ? 'no longer found in the data' : 'no longer in the plan file'
    units.push({ address: unit, cluster: clusterName, customer, action: 'forget', reasons: [reason] })
  }
  for (const records of clusterRecords.values()) {
    appendAll(forgetWarnings, removedFromClusterDeleteWarnings(index, records, removedJobs, (unit) => isSelected(unit, selection)))
  }
  forgetSteps.sort(byAddress)
  forgetWarnings.sort((a, b) => byAddress(a.address ?? '', b.address ?? ''))
  warnings.push(...discoveryWarnings(spec, discovered), ...forgetWarnings)

  return {
    formatVersion: '1',
    bfVersion: deps.version,
    plan: { name: spec.name, description: spec.description, file: spec.source.file, sha256: spec.source.sha256 },
    state: { lineage: state.lineage || null, serial: state.serial },
    refreshed: options.refresh,
    units,
    steps,
    forgetSteps,
    warnings,
    summary: summarizePlan(units, steps, forgetSteps),
    ...(discovered.length > 0 ? { customers: discovered } : {}),
  }
}

/**
 * Compares the plan file with the state and the live figures, and builds the step graph
 * that closes the difference. Refresh sends a constant number of queries per cluster.
 * Without `stateSnapshot`, the state is read a customer at a time, so that a state of a
 * million steps and the plan made from it are not in memory together.
 */
export async function computePlan(file: PlanSpec, deps: EngineDeps, options: PlanOptions, stateSnapshot?: StateSnapshot): Promise<ComputedPlan> {
  const { selection } = options
  const readState = async (): Promise<StateByCustomer> => (stateSnapshot ? byCustomerFromSnapshot(stateSnapshot) : deps.state.readByCustomer())
  // Discovered customers are planned like listed ones: from here on, the plan has them.
  const spec = await resolveCustomers(file, deps, options.refresh, () => (stateSnapshot ? recordedCustomers(byCustomerFromSnapshot(stateSnapshot)) : recordedCustomersIn(deps.state)))
  checkTargetsExist(selection, knownAddress(spec))
  if (options.select === 'drifted' && !options.refresh) throw new UserError('--select drifted needs live figures: drop --refresh=false')
  const clusters = spec.clusters.map((cluster) => ({ cluster, customers: customersInPlay(spec, cluster, selection) })).filter((entry) => entry.customers.length > 0)
  // The state is read while the clusters work on the refresh, in the order the state lists
  // them: planning starts with the first cluster's figures while the others still count.
  const refreshes = new Map<string, Promise<LiveFigures | undefined>>()
  for (const { cluster, customers } of [...clusters].sort((a, b) => byAddress(a.cluster.name, b.cluster.name))) {
    const refresh = options.refresh ? refreshCluster(spec, deps, cluster, customers) : Promise.resolve(undefined)
    refresh.catch(() => undefined)
    refreshes.set(cluster.name, refresh)
  }
  // A state that cannot be read is still the error reported.
  const state = await readState()
  const liveOf = (cluster: string): Promise<LiveFigures | undefined> => refreshes.get(cluster) ?? Promise.resolve(undefined)
  const context: PlanningContext = { spec, deps, options, clusters, liveOf, memo: new PlanMemo(options.jobTemplates) }
  try {
    return await planFromState(context, state)
  } catch (error) {
    if (!(error instanceof StateOrderError)) throw error
    // A snapshot edited by hand: planned again from a whole read.
    return planFromState(context, byCustomerFromSnapshot(await deps.state.read()))
  }
}
