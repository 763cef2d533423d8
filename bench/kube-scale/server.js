// Child process: one Kubernetes test API server per cluster, each with the relabel
// CronJob, its Jobs running BF_TEST_DELAY_MS. Prints {clusters: [{kubeconfig}], control}
// and serves GET /counts on the control port (each server's requests per verb and
// resource, and the most watch streams open at once) until killed.
// Usage: node bench/kube-scale/server.js COMPILED_SUPPORT_DIR CLUSTERS
import { createServer } from 'node:http'
import { join } from 'node:path'

const [supportDir, clustersText] = process.argv.slice(2)
const { startKubeApiServer } = await import(join(supportDir, 'kube-api-server.js'))
const { labelConversationsCronJob } = await import(join(supportDir, 'kube-fixtures.js'))

const servers = []
for (let index = 0; index < Number(clustersText); index++) {
  const server = await startKubeApiServer()
  server.addCronJob(labelConversationsCronJob())
  servers.push({ server, kubeconfig: await server.writeKubeconfig() })
}
const control = createServer((request, response) => {
  const counts = servers.map(({ server }) => ({ requests: server.requestCounts(), max_open_watches: server.maxOpenWatches, jobs: server.jobs().length }))
  response.writeHead(200, { 'Content-Type': 'application/json' })
  response.end(JSON.stringify(counts))
})
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve))
process.stdout.write(`${JSON.stringify({ clusters: servers.map(({ kubeconfig }) => ({ kubeconfig })), control: `http://127.0.0.1:${control.address().port}` })}\n`)
