import type { DataPath } from '../data-path.js'
import { formatPath } from '../data-path.js'
import { badEnvRefsIn, envRefsIn } from '../env-refs.js'
import { errorAt } from '../finding.js'
import type { Finding } from '../finding.js'
import { stringsIn } from './access.js'

/** Paths are made absolute when the plan loads, before any environment is read. */
const PATHS = [/^state\.path$/, /^clusters\.[^.]+\.clickhouse\.embedded$/, /^clusters\.[^.]+\.kubernetes\.kubeconfig$/]

/** Every `${env:…}` is well formed, and none sits in a file path. */
export function envRefFindings(data: unknown): Finding[] {
  const findings: Finding[] = []
  for (const [path, value] of stringsIn(data, (value) => value.includes('${env:'))) {
    for (const bad of badEnvRefsIn(value)) {
      findings.push(
        errorAt('env-ref', path, `malformed environment reference ${JSON.stringify(bad.text)} in ${formatPath(path)}`, {
          offsetInValue: bad.offset,
          hint: 'write ${env:NAME}, NAME being letters, digits and "_", not starting with a digit',
        }),
      )
    }
    if (envRefsIn(value).length > 0 && isPathValue(path)) {
      findings.push(errorAt('env-ref', path, `${formatPath(path)} cannot use \${env:…}`, { hint: 'paths are resolved when the plan is loaded; write the path itself' }))
    }
  }
  return findings
}

function isPathValue(path: DataPath): boolean {
  const text = path.join('.')
  return PATHS.some((pattern) => pattern.test(text))
}
