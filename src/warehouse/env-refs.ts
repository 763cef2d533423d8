import { UserError } from '../errors.js'

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replaces every `${env:NAME}` in `value` from `env`; a missing variable is an error that
 * names it (never the value). The single place connection settings are resolved.
 */
export function resolveRefs(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(ENV_REF, (_match, name: string) => {
    const resolved = env[name]
    if (resolved === undefined) throw new UserError(`${where} refers to the environment variable ${name}, which is not set`)
    return resolved
  })
}
