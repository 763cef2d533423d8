import { UserError } from '../errors.js'
import { ENV_NAME_PATTERN } from './patterns.js'

const OPEN = '${env:'
const ENV_NAME = new RegExp(ENV_NAME_PATTERN)

/** One `${env:…}` in a string: its name, and where it starts and ends. */
interface EnvRef {
  name: string
  start: number
  end: number
  /** False when the name is not a valid variable name, or the `}` is missing. */
  valid: boolean
}

function* scan(value: string): Generator<EnvRef> {
  for (let start = value.indexOf(OPEN); start >= 0; start = value.indexOf(OPEN, start + 1)) {
    const close = value.indexOf('}', start)
    if (close < 0) {
      yield { name: value.slice(start + OPEN.length), start, end: value.length, valid: false }
      return
    }
    const name = value.slice(start + OPEN.length, close)
    yield { name, start, end: close + 1, valid: ENV_NAME.test(name) }
  }
}

/** Names of the well-formed `${env:NAME}` references in `value`, in order, each once. */
export function envRefsIn(value: string): string[] {
  const names = new Set<string>()
  for (const ref of scan(value)) if (ref.valid) names.add(ref.name)
  return [...names]
}

/** Malformed references in `value` (`${env:1X}`, `${env:}`, `${env:X` without `}`), with their offsets. */
export function badEnvRefsIn(value: string): { text: string; offset: number }[] {
  return [...scan(value)].filter((ref) => !ref.valid).map((ref) => ({ text: value.slice(ref.start, ref.end), offset: ref.start }))
}

/**
 * `value` with every `${env:NAME}` replaced from `env`. A variable that is not set is a
 * `UserError` naming it and `where` it is used (`clusters.us-east-1-prod.clickhouse.password`);
 * the values themselves never appear in messages.
 */
export function resolveEnvRefs(value: string, env: NodeJS.ProcessEnv, where: string): string {
  const missing = envRefsIn(value).filter((name) => env[name] === undefined)
  if (missing.length > 0) {
    const names = missing.join(', ')
    const subject = missing.length === 1 ? `environment variable ${names} is not set` : `environment variables ${names} are not set`
    throw new UserError(`${subject}; ${where} uses ${missing.length === 1 ? 'it' : 'them'}`)
  }
  let result = ''
  let from = 0
  for (const ref of scan(value)) {
    if (!ref.valid) continue
    result += value.slice(from, ref.start) + env[ref.name]!
    from = ref.end
  }
  return result + value.slice(from)
}
