/** A plan file's data as the schema admits it, before defaults: what `resolve` reads. */

export type Scalar = string | number | boolean

export interface RawWindow {
  start?: string
  end?: string
}

export interface RawColumns {
  database?: string
  table: string
  timeColumn: string
  customerColumn: string
  keyColumns: string[]
}

export interface RawCluster {
  clickhouse: {
    url?: string
    embedded?: string
    cluster?: string
    database?: string
    username?: string
    password?: string
    settings?: Record<string, Scalar>
  }
  kubernetes?: { context: string; kubeconfig?: string; qps?: number; burst?: number }
  window?: RawWindow
  customers: (string | { id: string; window: RawWindow })[] | RawDiscovery
}

/** `customers:` as a mapping: found in the data at refresh. */
export interface RawDiscovery {
  from?: 'expected' | 'target'
  query?: string
  exclude?: string[]
  minRows?: number
  windows?: Record<string, RawWindow>
}

export type RawExpectation = { equals: Scalar } | { max: number } | { min: number } | { between: [number, number] }

export interface RawPlan {
  version: 1
  name: string
  description?: string
  window: { start: string; end: string; batch: string }
  target: RawColumns & { readTable?: string }
  expected?: RawColumns
  delete:
    | false
    | {
        mode?: 'mutation' | 'lightweight'
        per?: 'customer' | 'cluster' | 'batch'
        maxCustomers?: number
        settings?: Record<string, Scalar>
        timeout?: string
      }
  job: {
    kind: 'kubernetes' | 'sql' | 'command'
    kubernetes?: { cronJob: string; namespace: string; container?: string; ownerReference?: boolean; ttlSecondsAfterFinished?: number; onTemplateChange?: 'keep' | 'rerun' }
    sql?: string
    command?: string[]
    env?: Record<string, Scalar>
    timeout?: string
    retries?: number
    concurrency?: number
  }
  verify?: {
    duplicates?: boolean
    requireData?: boolean
    ratio?: { min?: number; max?: number }
    checks?: { name: string; customers?: string[]; sql: string; expect: RawExpectation }[]
  }
  rollout?: { canary?: string[]; order?: 'forward' | 'backward' }
  guards?: { maxPendingMutations?: number; maxDeleteRows?: number; maxRewriteBytes?: string }
  schedule?: { timezone?: string; windows: string[] }
  throttle?: {
    interval?: string
    replicationDelay?: string
    replicationQueue?: number
    partsPerPartition?: number
    mergesBusy?: number
    checks?: { name: string; sql: string; max: number }[]
  }
  state?: {
    backend?: 'file' | 'clickhouse'
    path?: string
    cluster?: string
    database?: string
    table?: string
    lock?: 'keeper-map' | { kubernetes: { context: string; namespace: string; kubeconfig?: string } }
    lease?: string
  }
  clusters: Record<string, RawCluster>
}
