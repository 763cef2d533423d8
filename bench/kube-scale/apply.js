// Child process: bf's Kubernetes launcher runs CLUSTERS × JOBS Jobs, CONCURRENCY at once per
// cluster as apply's executor does, against the test API servers of server.js. Heap and
// RSS are sampled (after a full GC) once the first WARMUP Jobs of every cluster are done,
// and at the end. Prints the figures as JSON.
// Usage: node bench/kube-scale/apply.js KUBECONFIGS_JSON JOBS CONCURRENCY WARMUP QPS BURST
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [kubeconfigsText, jobsText, concurrencyText, warmupText, qpsText, burstText] = process.argv.slice(2)
const kubeconfigs = JSON.parse(kubeconfigsText)
const jobs = Number(jobsText)
const concurrency = Number(concurrencyText)
const warmup = Number(warmupText)
const { KubernetesLauncher } = await dist('launchers/kubernetes.js')

const launcher = new KubernetesLauncher()
const job = { kind: 'kubernetes', kubernetes: { cronJob: 'cron-label-conversations', namespace: 'cresta-cron', ownerReference: true, onTemplateChange: 'keep' }, env: {}, retries: 0, concurrency }
const clusters = kubeconfigs.map((kubeconfig, index) => ({
  name: `cluster-${index + 1}`,
  clickhouse: { url: 'http://127.0.0.1:8123', settings: {} },
  kubernetes: { context: 'test', kubeconfig, qps: Number(qpsText), burst: Number(burstText) },
  customers: [],
}))
// Planned once per cluster, as apply does: every Job is made from the planned template.
const templates = new Map(await Promise.all(clusters.map(async (cluster) => [cluster.name, await launcher.template(cluster, job)])))

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')
const memory = () => {
  gc()
  const usage = process.memoryUsage()
  return { heap_mb: usage.heapUsed / 2 ** 20, rss_mb: usage.rss / 2 ** 20 }
}
const DAY = 86_400_000
function request(cluster, index) {
  const customer = `customer-${index % 20}`
  const start = Date.UTC(2024, 0, 1) + Math.floor(index / 20) * DAY
  const label = new Date(start).toISOString().slice(0, 10)
  const unitAddress = `${cluster.name}/${customer}/${label}`
  return {
    planName: 'kube-scale',
    lineage: 'bench',
    address: `${unitAddress}/job`,
    unitAddress,
    cluster,
    customer,
    batch: { start, end: start + DAY, label },
    attempt: 1,
    job,
    env: { FILTER_CUSTOMER: customer, RANGE_START: label, BF_TEST_DELAY_MS: '200' },
    logDir: '/tmp/bf-bench-kube-logs',
    signal: new globalThis.AbortController().signal,
    template: templates.get(cluster.name),
  }
}
const context = { record: async () => {}, note: () => {} }

let done = 0
let failed = 0
let warm
const finished = new Map(clusters.map((cluster) => [cluster.name, 0]))
async function runCluster(cluster) {
  let next = 0
  const worker = async () => {
    while (next < jobs) {
      const outcome = await launcher.run(request(cluster, next++), context)
      if (!outcome.ok) failed++
      done++
      finished.set(cluster.name, finished.get(cluster.name) + 1)
      if (!warm && [...finished.values()].every((count) => count >= warmup)) warm = { ...memory(), jobs_done: done }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

const started = process.hrtime.bigint()
await Promise.all(clusters.map(runCluster))
const seconds = secondsSince(started)
const end = memory()
await launcher.close()
if (failed > 0) throw new Error(`${failed} of ${done} Jobs failed`)
process.stdout.write(`${JSON.stringify({ jobs: done, seconds, warm, end })}\n`)
