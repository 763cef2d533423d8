import type { ClusterSpec, JobSpec, KubernetesJobSpec } from '../../src/plan/model.js'
import type { JobContext, JobRequest } from '../../src/launchers/launcher.js'
import type { JsonValue } from '../../src/state/model.js'

export const CRON_NAMESPACE = 'cresta-cron'
export const CRON_NAME = 'cron-label-conversations'

/** A CronJob shaped like the one the relabel runbook launches from: an init container, a sidecar, env from secrets. */
export function labelConversationsCronJob(overrides: { spec?: Record<string, unknown> } = {}) {
  return {
    metadata: {
      name: CRON_NAME,
      namespace: CRON_NAMESPACE,
      labels: { app: 'cron-label-conversations', team: 'analytics' },
      annotations: { 'meta.helm.sh/release-name': 'go-servers' },
    },
    spec: {
      schedule: '*/30 * * * *',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      suspend: false,
      jobTemplate: {
        metadata: {
          labels: { app: 'cron-label-conversations', 'app.kubernetes.io/part-of': 'go-servers' },
          annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false', 'cronjob.kubernetes.io/instantiate': 'template' },
        },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 14_400,
          template: {
            metadata: { labels: { app: 'cron-label-conversations' }, annotations: { 'sidecar.istio.io/inject': 'false' } },
            spec: {
              restartPolicy: 'Never',
              serviceAccountName: 'cron-label-conversations',
              initContainers: [
                {
                  name: 'wait-for-clickhouse',
                  image: 'registry.example.com/tools/wait-for:1.4.2',
                  args: ['clickhouse:9000'],
                  env: [{ name: 'FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE', value: '' }],
                },
              ],
              containers: [
                {
                  name: 'cron',
                  image: 'registry.example.com/go-servers/cron:2026.02.17-4f1c2ab',
                  args: ['--task=label-conversations'],
                  env: [
                    { name: 'CLICKHOUSE_HOST', value: 'clickhouse-conversations' },
                    { name: 'ENABLE_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE', value: 'false' },
                    { name: 'CLICKHOUSE_PASSWORD', valueFrom: { secretKeyRef: { name: 'clickhouse-credentials', key: 'password' } } },
                    { name: 'LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_BATCH_SIZE', value: '24h' },
                    { name: 'CLICKHOUSE_DSN', value: 'clickhouse://$(CLICKHOUSE_HOST):9000' },
                  ],
                  envFrom: [{ configMapRef: { name: 'cron-common' } }],
                  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
                  volumeMounts: [{ name: 'config', mountPath: '/etc/cron' }],
                },
                {
                  name: 'metrics-exporter',
                  image: 'registry.example.com/tools/metrics-exporter:0.9.0',
                  ports: [{ containerPort: 9102, name: 'metrics' }],
                },
              ],
              volumes: [{ name: 'config', configMap: { name: 'cron-label-conversations' } }],
            },
          },
        },
      },
      ...overrides.spec,
    },
  }
}

export function kubernetesJobSpec(overrides: Partial<KubernetesJobSpec> = {}, job: Partial<JobSpec> = {}): JobSpec {
  return {
    kind: 'kubernetes',
    kubernetes: { cronJob: CRON_NAME, namespace: CRON_NAMESPACE, ownerReference: true, onTemplateChange: 'keep', ...overrides },
    env: {},
    retries: 0,
    concurrency: 1,
    ...job,
  }
}

export function clusterSpec(kubeconfig: string, context = 'test'): ClusterSpec {
  return {
    name: 'us-east-1-prod',
    clickhouse: { url: 'http://127.0.0.1:8123', settings: {} },
    kubernetes: { context, kubeconfig },
    customers: [],
  }
}

export const BACKFILL_ENV = {
  ENABLE_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: 'true',
  LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_START_AT_RANGE_START: '2026-01-15T00:00:00Z',
  LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE_CONV_END_AT_RANGE_END: '2026-01-16T00:00:00Z',
  FILTER_CUSTOMER_IN_LABEL_CONVERSATIONS_WITH_AGENT_ASSISTANCE: 'alaska-air',
}

/** A request for `alaska-air` on 2026-01-15, attempt 1. */
export function jobRequest(
  cluster: ClusterSpec,
  overrides: Partial<Omit<JobRequest, 'signal'>> & { signal?: AbortSignal } = {},
): JobRequest {
  const customer = overrides.customer ?? 'alaska-air'
  const label = overrides.batch?.label ?? '2026-01-15'
  const unitAddress = overrides.unitAddress ?? `${cluster.name}/${customer}/${label}`
  return {
    planName: 'relabel-2026',
    lineage: 'lin-4b1d9a',
    address: `${unitAddress}/job`,
    unitAddress,
    cluster,
    customer,
    batch: { start: Date.UTC(2026, 0, 15), end: Date.UTC(2026, 0, 16), label },
    attempt: 1,
    job: kubernetesJobSpec(),
    env: BACKFILL_ENV,
    logDir: '/tmp',
    signal: new AbortController().signal,
    ...overrides,
  }
}

/** A JobContext that keeps what it is told. */
export function recordingContext(): JobContext & { records: Array<Record<string, JsonValue>>; notes: string[] } {
  const records: Array<Record<string, JsonValue>> = []
  const notes: string[] = []
  return {
    records,
    notes,
    record: async (outputs) => {
      records.push(outputs)
    },
    note: (message) => {
      notes.push(message)
    },
  }
}
