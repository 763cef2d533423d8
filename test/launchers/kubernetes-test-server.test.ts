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
})
