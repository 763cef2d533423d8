import { beforeAll, describe, expect, it } from 'vitest'
import { bf, ensureBuilt } from '../support/cli.js'

beforeAll(() => ensureBuilt())

/** stderr without oclif's decoration, as one string. */
const said = (stderr: string): string => stderr.replace(/^\s*›\s*/gm, '').trim().replace(/\s*\n\s*/g, ' ')

describe('usage errors', () => {
  it.each([
    ['an unknown flag', ['plan', 'plans/2026.yaml', '--bogus'], 'Error: Nonexistent flag: --bogus (see bf plan --help)'],
    ['a bad flag value', ['plan', 'plans/2026.yaml', '--select=foo'], 'Error: Expected --select=foo to be one of: all, drifted (see bf plan --help)'],
    ['a missing argument', ['plan'], 'Error: Missing 1 required arg: plan — Plan file (YAML). (see bf plan --help)'],
    ['an unexpected argument', ['plan', 'a.yaml', 'b.yaml'], 'Error: Unexpected argument: b.yaml (see bf plan --help)'],
  ])('%s exits 1 with one line and a hint, with or without --detailed-exitcode', (_what, args, line) => {
    for (const extra of [[], ['--detailed-exitcode']]) {
      const run = bf([...args, ...extra])
      expect(run.status).toBe(1)
      expect(run.stdout).toBe('')
      expect(said(run.stderr)).toBe(line)
    }
  })

  it('a misspelt command exits 1 and names the command meant', () => {
    const typo = bf(['pln', 'plans/2026.yaml'])
    expect(typo.status).toBe(1)
    expect(said(typo.stderr)).toBe('Error: pln is not a bf command: did you mean bf plan?')
    const inTopic = bf(['state', 'lst'])
    expect(inTopic.status).toBe(1)
    expect(said(inTopic.stderr)).toBe('Error: state lst is not a bf command: did you mean bf state list?')
    expect(said(bf(['zzzz']).stderr)).toBe('Error: zzzz is not a bf command: run bf help for the list of commands')
  })
})

describe('errors with --json', () => {
  it('are one JSON document on stdout, exit 1, nothing on stderr', () => {
    for (const [args, message] of [
      [['plan', 'missing.yaml', '--json'], 'missing.yaml: cannot read the plan file: no such file'],
      [['plan', 'missing.yaml', '--json', '--bogus'], 'Nonexistent flag: --bogus (see bf plan --help)'],
    ] as const) {
      const run = bf([...args])
      expect(run.status).toBe(1)
      expect(run.stderr).toBe('')
      expect(JSON.parse(run.stdout)).toEqual({ error: { message } })
    }
  })
})

describe('bf help', () => {
  it('shows the help of bf, of a command and of a command in a topic', () => {
    const root = bf(['help'])
    expect(root.status).toBe(0)
    expect(root.stdout).toMatch(/TOPICS\n\s+state\s+Read and edit the state/)
    const plan = bf(['help', 'plan'])
    expect(plan.status).toBe(0)
    expect(plan.stdout).toContain('$ bf plan PLAN')
    const list = bf(['help', 'state', 'list'])
    expect(list.status).toBe(0)
    expect(list.stdout).toContain('$ bf state list PLAN')
  })
})
