import { describe, expect, it } from 'vitest'
import { placeholdersIn, renderTemplate, unclosedPlaceholderIn } from '../../src/plan/template.js'
import type { TemplateVars } from '../../src/plan/template.js'

const vars: TemplateVars = {
  customer: 'alaska-air',
  cluster: 'us-east-1-prod',
  batchStart: Date.UTC(2026, 0, 15),
  batchEnd: Date.UTC(2026, 0, 16),
  batchDate: '2026-01-15',
  planName: 'relabel-2026',
}

describe('templates', () => {
  it('fills every placeholder, with or without spaces inside the braces', () => {
    expect(renderTemplate('{{ customer }}@{{cluster}} {{  batch.start }}..{{ batch.end}} {{ batch.date }} {{ plan.name }}', vars)).toBe(
      'alaska-air@us-east-1-prod 2026-01-15T00:00:00Z..2026-01-16T00:00:00Z 2026-01-15 relabel-2026',
    )
  })

  it('leaves text around placeholders alone, "$" included', () => {
    expect(renderTemplate('$1 {{ customer }} $& { x }', { ...vars, customer: 'a$&b' })).toBe('$1 a$&b $& { x }')
  })

  it('finds placeholders and their offsets', () => {
    expect(placeholdersIn('x {{ customer }} y {{batch.day}} {{}}')).toEqual([
      { name: 'customer', offset: 2 },
      { name: 'batch.day', offset: 19 },
      { name: '', offset: 33 },
    ])
    expect(unclosedPlaceholderIn('{{ customer }} and {{ cluster')).toBe(19)
    expect(unclosedPlaceholderIn('{{ customer }}')).toBeUndefined()
  })

  it('refuses an unknown placeholder, which loading should have caught', () => {
    expect(() => renderTemplate('{{ batch.day }}', vars)).toThrow(/unknown placeholder/)
  })
})
