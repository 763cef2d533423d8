import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { KubeApiServer } from '../support/kube-api-server.js'
import { startKubeApiServer } from '../support/kube-api-server.js'
import { CRON_NAMESPACE, labelConversationsCronJob } from '../support/kube-fixtures.js'

/** The test API server speaks the shapes the real one does; other tests rely on it. */
let server: KubeApiServer

beforeEach(async () => {
  server = await startKubeApiServer()
  server.addCronJob(labelConversationsCronJob())
})

afterEach(async () => {
  await server.close()
})

async function get(path: string, token = server.token): Promise<{ status: number; type: string | null; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } })
  const text = await response.text()
  const type = response.headers.get('content-type')
  return { status: response.status, type, body: type === 'application/json' ? JSON.parse(text) : text }
}

function jobFrom(env: Record<string, string>, name = 'simulated') {
  const template = labelConversationsCronJob().spec.jobTemplate
  const spec = JSON.parse(JSON.stringify(template.spec))
  spec.template.spec.containers[0].env = Object.entries(env).map(([key, value]) => ({ name: key, value }))
  return { metadata: { name, namespace: CRON_NAMESPACE }, spec }
}

describe('the test Kubernetes API server', () => {
  it('answers errors with Status objects and a content type', async () => {
    expect(await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/cronjobs/nope`)).toEqual({
      status: 404,
      type: 'application/json',
      body: expect.objectContaining({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'cronjobs.batch "nope" not found' }),
    })
    expect((await get('/apis/batch/v1/namespaces/x/jobs', 'wrong')).status).toBe(401)
    server.forbid('list', 'jobs')
    expect((await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs`)).body).toMatchObject({
      reason: 'Forbidden',
      message: 'jobs.batch is forbidden: User "bf-test-user" cannot list resource "jobs" in API group "batch" in the namespace "cresta-cron"',
    })
  })

  it('runs Jobs by the script in their env, with pods found by controller uid, logs and status', async () => {
    const job = server.addJob(jobFrom({ BF_TEST_OUTCOME: 'fail', BF_TEST_LOG: 'boom', BF_TEST_DELAY_MS: '5' }))
    await server.waitFor(() => server.job(CRON_NAMESPACE, 'simulated')?.status?.conditions)
    const status = await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs/simulated/status`)
    expect(status.body).toMatchObject({ status: { failed: 1, conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } })

    const pods = await get(`/api/v1/namespaces/${CRON_NAMESPACE}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/controller-uid=${job.metadata.uid}`)}`)
    expect(pods.body).toMatchObject({ kind: 'PodList', metadata: { resourceVersion: expect.any(String) }, items: [{ status: { phase: 'Failed' } }] })
    const pod = (pods.body as { items: Array<{ metadata: { name: string } }> }).items[0]!.metadata.name
    const withoutContainer = await get(`/api/v1/namespaces/${CRON_NAMESPACE}/pods/${pod}/log`)
    expect(withoutContainer.body).toMatchObject({ code: 400, message: `a container name must be specified for pod ${pod}, choose one of: [cron metrics-exporter]` })
    expect(await get(`/api/v1/namespaces/${CRON_NAMESPACE}/pods/${pod}/log?container=cron&tailLines=1`)).toEqual({ status: 200, type: 'text/plain', body: 'boom\n' })
  })

  it('streams watch events from a resourceVersion, and 410 once history is compacted', async () => {
    const list = (await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs`)).body as { metadata: { resourceVersion: string } }
    server.addJob(jobFrom({ BF_TEST_DELAY_MS: '5' }))
    await server.waitFor(() => server.job(CRON_NAMESPACE, 'simulated')?.status?.conditions)
    const response = await fetch(`${server.url}/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`, {
      headers: { Authorization: `Bearer ${server.token}` },
    })
    const events = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { type: string; object: { status?: { conditions?: unknown[] } } })
    expect(events[0]!.type).toBe('ADDED')
    expect(events.at(-1)).toMatchObject({ type: 'MODIFIED', object: { status: { conditions: expect.any(Array) } } })

    server.compact()
    const gone = await fetch(`${server.url}/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs?watch=true&resourceVersion=${list.metadata.resourceVersion}`, {
      headers: { Authorization: `Bearer ${server.token}` },
    })
    expect(JSON.parse(await gone.text())).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })
  })

  it('lists and watches by label selector, lists at a resourceVersion, and counts requests', async () => {
    server.addJob({ ...jobFrom({ BF_TEST_OUTCOME: 'hang' }, 'ours'), metadata: { name: 'ours', namespace: CRON_NAMESPACE, labels: { 'bf.dev/plan': 'p' } } })
    const from = (await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs`)).body as { metadata: { resourceVersion: string } }
    server.addJob({ ...jobFrom({ BF_TEST_OUTCOME: 'hang' }, 'theirs'), metadata: { name: 'theirs', namespace: CRON_NAMESPACE, labels: { 'bf.dev/plan': 'q' } } })
    const selector = encodeURIComponent('bf.dev/plan=p')
    const listed = (await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs?labelSelector=${selector}&resourceVersion=${from.metadata.resourceVersion}`)).body as { items: Array<{ metadata: { name: string } }> }
    expect(listed.items.map((item) => item.metadata.name)).toEqual(['ours'])
    const watching = fetch(`${server.url}/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs?watch=true&labelSelector=${selector}&resourceVersion=${from.metadata.resourceVersion}&timeoutSeconds=1`, {
      headers: { Authorization: `Bearer ${server.token}` },
    })
    await server.waitFor(() => server.openWatches === 1)
    server.finishJob(CRON_NAMESPACE, 'theirs', 'complete')
    server.finishJob(CRON_NAMESPACE, 'ours', 'complete')
    const response = await watching
    const events = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { object: { metadata: { name: string } } })
    expect(new Set(events.map((event) => event.object.metadata.name))).toEqual(new Set(['ours']))

    server.compact()
    expect((await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs?resourceVersion=${from.metadata.resourceVersion}`)).body).toMatchObject({ code: 410, reason: 'Expired' })
    expect((await get(`/apis/batch/v1/namespaces/${CRON_NAMESPACE}/jobs?resourceVersion=999999`)).body).toMatchObject({ code: 504, reason: 'Timeout' })
    expect(server.requestCounts()).toMatchObject({ 'list jobs': 4, 'watch jobs': 1 })
  })
})
