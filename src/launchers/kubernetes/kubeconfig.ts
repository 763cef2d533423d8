import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { AuthorizationV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { errorMessage } from '../../common/error-text.js'
import type { KubernetesClusterSpec } from '../../plan/model.js'
import { UserError } from '../../errors.js'

/** API clients bound to one kubeconfig context. */
export interface KubeClients {
  kubeConfig: KubeConfig
  context: string
  /** The context's own namespace, if it names one. */
  contextNamespace?: string
  batch: BatchV1Api
  core: CoreV1Api
  authorization: AuthorizationV1Api
}

/**
 * Loads the kubeconfig a cluster names (`kubernetes.kubeconfig`), else the default one
 * (`KUBECONFIG`, then `~/.kube/config`), and selects the cluster's context.
 */
export function loadKubeConfig(spec: KubernetesClusterSpec): KubeConfig {
  const kubeConfig = new KubeConfig()
  const file = spec.kubeconfig ? expandHome(spec.kubeconfig) : undefined
  try {
    if (file) kubeConfig.loadFromFile(file)
    else kubeConfig.loadFromDefault()
  } catch (error) {
    const where = file ?? (process.env.KUBECONFIG || '~/.kube/config')
    throw new UserError(`cannot read kubeconfig ${where}: ${errorMessage(error)}`)
  }
  const names = kubeConfig.getContexts().map((context) => context.name)
  // loadFromDefault falls back to an anonymous localhost:8080 context when it finds no file.
  if (!file && names.length === 1 && names[0] === 'loaded-context') {
    throw new UserError('no kubeconfig found (KUBECONFIG, ~/.kube/config): set KUBECONFIG or the cluster\'s kubernetes.kubeconfig')
  }
  if (!names.includes(spec.context)) {
    throw new UserError(`kubeconfig has no context "${spec.context}" (contexts: ${names.join(', ') || 'none'})`)
  }
  // Must precede makeApiClient: a client is bound to the cluster of the current context.
  kubeConfig.setCurrentContext(spec.context)
  return kubeConfig
}

export function connect(spec: KubernetesClusterSpec): KubeClients {
  const kubeConfig = loadKubeConfig(spec)
  const namespace = kubeConfig.getContextObject(spec.context)?.namespace
  return {
    kubeConfig,
    context: spec.context,
    ...(namespace ? { contextNamespace: namespace } : {}),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    core: kubeConfig.makeApiClient(CoreV1Api),
    authorization: kubeConfig.makeApiClient(AuthorizationV1Api),
  }
}

/** The plan's namespace, else the context's, else `default`. */
export function effectiveNamespace(planNamespace: string | undefined, clients: KubeClients): string {
  return planNamespace || clients.contextNamespace || 'default'
}

function expandHome(path: string): string {
  return resolve(path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path)
}
