import type { IncomingMessage } from 'node:http'
import type { StatusBody } from './kube-status.js'
import { failure } from './kube-status.js'

/** Where a request goes: API group, namespace, resource, name and subresource. */
export interface Route {
  group: 'batch' | 'core' | 'authorization' | 'coordination'
  namespace?: string
  resource: string
  name?: string
  subresource?: string
}

/** Splits `/apis/batch/v1/namespaces/ns/jobs/name/status` and the like. */
export function parseRoute(path: string): Route | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  let group: Route['group']
  let rest: string[]
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = 'core'
    rest = parts.slice(2)
  } else if (parts[0] === 'apis' && parts[1] === 'batch' && parts[2] === 'v1') {
    group = 'batch'
    rest = parts.slice(3)
  } else if (parts[0] === 'apis' && parts[1] === 'authorization.k8s.io' && parts[2] === 'v1') {
    group = 'authorization'
    rest = parts.slice(3)
  } else if (parts[0] === 'apis' && parts[1] === 'coordination.k8s.io' && parts[2] === 'v1') {
    group = 'coordination'
    rest = parts.slice(3)
  } else return undefined
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  const [resource, name, subresource] = rest
  if (!resource || rest.length > 3) return undefined
  return { group, resource, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) }
}


/** The RBAC verb of a request. */
export function verbOf(method: string, route: Route, query: Record<string, string>): string {
  switch (method) {
    case 'GET':
      if (query.watch === 'true' || query.watch === '1') return 'watch'
      return route.name ? 'get' : 'list'
    case 'POST':
      return 'create'
    case 'PUT':
      return 'update'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection'
    default:
      return method.toLowerCase()
  }
}

/** The 403 a real API server sends, naming user, verb, resource and namespace. */
export function forbiddenStatus(request: { verb: string; resource: string }, route: Route): StatusBody {
  const group = apiGroupName(route.group)
  const qualified = group ? `${route.resource}.${group}` : route.resource
  const subject = route.name ? `${qualified} "${route.name}"` : qualified
  const where = route.namespace ? ` in the namespace "${route.namespace}"` : ''
  const message = `${subject} is forbidden: User "bf-test-user" cannot ${request.verb} resource "${request.resource}" in API group "${group}"${where}`
  return failure(403, message, { ...(route.name ? { name: route.name } : {}), group, kind: route.resource })
}

/** The API group as Kubernetes names it: `` for core, `batch`, `coordination.k8s.io`, … */
export function apiGroupName(group: Route['group']): string {
  return { core: '', batch: 'batch', authorization: 'authorization.k8s.io', coordination: 'coordination.k8s.io' }[group]
}

/** The whole request body as text. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}


export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
