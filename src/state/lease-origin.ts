/**
 * Where this process runs, for whoever finds the lease taken: the CI run's URL
 * (GitHub Actions) or the pod's name (POD_NAME, else HOSTNAME inside Kubernetes).
 */
export function leaseOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = env
  if (server && repository && run) return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${run}`
  if (env.POD_NAME) return `pod ${env.POD_NAME}`
  if (env.KUBERNETES_SERVICE_HOST && env.HOSTNAME) return `pod ${env.HOSTNAME}`
  return undefined
}
