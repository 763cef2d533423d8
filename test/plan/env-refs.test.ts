import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { badEnvRefsIn, envRefsIn, resolveEnvRefs } from '../../src/plan/env-refs.js'

describe('env references', () => {
  it('lists the names referred to, each once', () => {
    expect(envRefsIn('${env:USER}:${env:PASS}@${env:USER}')).toEqual(['USER', 'PASS'])
    expect(envRefsIn('no references, ${HOME}, $env:X')).toEqual([])
  })

  it('finds malformed references', () => {
    expect(badEnvRefsIn('a ${env:} b ${env:1X} c ${env:OK} d ${env:OPEN')).toEqual([
      { text: '${env:}', offset: 2 },
      { text: '${env:1X}', offset: 12 },
      { text: '${env:OPEN', offset: 36 },
    ])
  })

  it('replaces references from the environment', () => {
    expect(resolveEnvRefs('https://${env:USER}:${env:PASS}@host', { USER: 'bf', PASS: 'p$1' }, 'url')).toBe('https://bf:p$1@host')
    expect(resolveEnvRefs('${env:EMPTY}x', { EMPTY: '' }, 'x')).toBe('x')
    expect(resolveEnvRefs('plain', {}, 'x')).toBe('plain')
  })

  it('names missing variables and where they are used, never a value', () => {
    const env = { SECRET: 'hunter2' }
    const attempt = () => resolveEnvRefs('${env:SECRET}/${env:CLICKHOUSE_PASSWORD}', env, 'clusters.us-east-1-prod.clickhouse.password')
    expect(attempt).toThrow(UserError)
    expect(attempt).toThrow('environment variable CLICKHOUSE_PASSWORD is not set; clusters.us-east-1-prod.clickhouse.password uses it')
    expect(attempt).not.toThrow(/hunter2/)
    expect(() => resolveEnvRefs('${env:A}${env:B}', {}, 'job.env.X')).toThrow('environment variables A, B are not set; job.env.X uses them')
  })
})
