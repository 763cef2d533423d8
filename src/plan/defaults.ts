/** Values a plan gets for keys it leaves out; the schema's `default` annotations use the same ones. */
export const DEFAULTS = {
  database: 'default',
  deleteMode: 'mutation',
  deletePer: 'customer',
  deleteTimeout: '6h',
  deleteMaxCustomers: 1000,
  kubernetesOwnerReference: true,
  /** client-go's DefaultQPS and DefaultBurst, which kubectl uses. */
  kubernetesQps: 5,
  kubernetesBurst: 10,
  kubernetesOnTemplateChange: 'keep',
  jobRetries: 0,
  jobConcurrency: 1,
  /** Rows a customer needs in the cluster's window for discovery to find it. */
  discoveryMinRows: 1,
  verifyDuplicates: true,
  verifyRequireData: false,
  rolloutOrder: 'forward',
  scheduleTimezone: 'UTC',
  throttleInterval: '30s',
  /** Relative to the plan file's folder; `<name>` is the plan's name. */
  statePath: (name: string) => `.bf/state/${name}`,
  stateBackend: 'file',
  stateDatabase: 'bf',
  stateTable: 'bf_state',
  stateLock: 'keeper-map',
  stateLease: '60s',
} as const
