import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CoreV1Api, V1ContainerStatus, V1Pod } from '@kubernetes/client-node'
import type { ApiCallOptions } from './api-call.js'
import { apiCall } from './api-call.js'
import { describeApiError } from './api-errors.js'

/**
 * The last `tailLines` lines of every container of every pod, each under a
 * `==> pod/container <==` header. Containers that never started say why instead;
 * a log that cannot be read says so rather than failing the report.
 */
export async function collectLogTail(core: CoreV1Api, namespace: string, pods: V1Pod[], tailLines: number, call: ApiCallOptions): Promise<string> {
  const sections: string[] = []
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?'
    for (const status of containerStatuses(pod)) {
      const header = `==> ${name}/${status.name} <==`
      if (!hasRun(status)) {
        const waiting = status.state?.waiting
        sections.push(`${header}\n(no log: container not started${waiting?.reason ? `, ${waiting.reason}` : ''}${waiting?.message ? `: ${waiting.message}` : ''})`)
        continue
      }
      try {
        const log = await apiCall(
          `read log of pod ${name}`,
          (options) => core.readNamespacedPodLog({ name, namespace, container: status.name, tailLines }, options),
          call,
        )
        sections.push(`${header}\n${String(log ?? '').replace(/\n$/, '')}`)
      } catch (error) {
        if (call.signal?.aborted) throw error
        sections.push(`${header}\n(log unavailable: ${describeApiError(error)})`)
      }
    }
  }
  return sections.join('\n\n')
}

/** Writes `<logDir>/<jobName>.log` and returns its path. */
export async function writeLogFile(logDir: string, jobName: string, text: string): Promise<string> {
  await mkdir(logDir, { recursive: true })
  const path = join(logDir, `${jobName}.log`)
  await writeFile(path, text.endsWith('\n') || text === '' ? text : `${text}\n`)
  return path
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
  if (statuses.length > 0) return statuses
  // A pod not yet scheduled has no statuses: name its containers anyway.
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
  return containers.map((container) => ({ name: container.name, image: container.image ?? '', imageID: '', ready: false, restartCount: 0 }))
}

function hasRun(status: V1ContainerStatus): boolean {
  return Boolean(status.state?.running || status.state?.terminated || status.lastState?.terminated)
}
