// Kubernetes at scale: CLUSTERS × JOBS Jobs at CONCURRENCY per cluster through bf's
// Kubernetes launcher against the test API server (one per cluster, in a child process
// of its own): API requests per Job, and bf's memory after warm-up and at the end.
import { join } from 'node:path'
import { buildTestSupport } from '../lib/build-support.js'
import { runJsonScript, startJsonService } from '../lib/child.js'
import { benchDir } from '../lib/paths.js'

export async function kubeScaleScenario({ clusters, jobs, concurrency, warmup, qps, burst, log }) {
  const supportDir = await buildTestSupport('kube-server', ['kube-api-server.ts', 'kube-fixtures.ts'])
  const service = await startJsonService(join(benchDir, 'kube-scale', 'server.js'), [supportDir, String(clusters)])
  const servers = service.json
  try {
    const kubeconfigs = servers.clusters.map((cluster) => cluster.kubeconfig)
    const run = await runJsonScript(join(benchDir, 'kube-scale', 'apply.js'), [JSON.stringify(kubeconfigs), String(jobs), String(concurrency), String(warmup), String(qps), String(burst)])
    const counts = await (await globalThis.fetch(`${servers.control}/counts`)).json()
    const requests = counts.reduce((sum, cluster) => sum + Object.values(cluster.requests).reduce((a, b) => a + b, 0), 0)
    const byKind = {}
    for (const cluster of counts) for (const [kind, count] of Object.entries(cluster.requests)) byKind[kind] = (byKind[kind] ?? 0) + count
    const result = {
      clusters,
      jobs_per_cluster: jobs,
      concurrency,
      qps,
      burst,
      seconds: run.json.seconds,
      requests,
      requests_by_kind: byKind,
      requests_per_job: requests / run.json.jobs,
      max_open_watches_per_cluster: Math.max(...counts.map((cluster) => cluster.max_open_watches)),
      heap_mb_after_warmup: run.json.warm.heap_mb,
      heap_mb_at_end: run.json.end.heap_mb,
      rss_mb_after_warmup: run.json.warm.rss_mb,
      rss_mb_at_end: run.json.end.rss_mb,
      peak_rss_mb: run.peakMb,
    }
    log(`  ${run.json.jobs.toLocaleString('en-US')} Jobs in ${run.json.seconds.toFixed(1)}s: ${result.requests_per_job.toFixed(3)} requests per Job, heap ${result.heap_mb_after_warmup.toFixed(1)} → ${result.heap_mb_at_end.toFixed(1)} MB`)
    return result
  } finally {
    await service.stop()
  }
}
