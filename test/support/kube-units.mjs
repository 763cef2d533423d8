// Unit requests for the Kubernetes launcher, shared by a test and the child process it
// kills, so both name the same units and Jobs.
const DAY = 86_400_000

/** The job request of unit `index` on the cluster of `kubeconfig` (context `test`). */
export function unitRequest(kubeconfig, index, signal = new globalThis.AbortController().signal) {
  const cluster = { name: 'us-east-1-prod', clickhouse: { url: 'http://127.0.0.1:8123', settings: {} }, kubernetes: { context: 'test', kubeconfig, qps: 1000, burst: 100 }, customers: [] }
  const customer = `customer-${index % 5}`
  const start = Date.UTC(2026, 0, 1) + Math.floor(index / 5) * DAY
  const label = new Date(start).toISOString().slice(0, 10)
  const unitAddress = `${cluster.name}/${customer}/${label}`
  return {
    planName: 'relabel-2026',
    lineage: 'lin-4b1d9a',
    address: `${unitAddress}/job`,
    unitAddress,
    cluster,
    customer,
    batch: { start, end: start + DAY, label },
    attempt: 1,
    job: { kind: 'kubernetes', kubernetes: { cronJob: 'cron-label-conversations', namespace: 'cresta-cron', ownerReference: true, onTemplateChange: 'keep' }, env: {}, retries: 0, concurrency: 1 },
    env: { FILTER_CUSTOMER: customer },
    logDir: '/tmp',
    signal,
  }
}
