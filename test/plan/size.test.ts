import { describe, expect, it } from 'vitest'
import { loadPlanText } from '../../src/plan/load.js'
import { formatSize, parseSize } from '../../src/plan/size.js'
import { relabelPlan } from '../support/embedded-workspace.js'

describe('sizes', () => {
  it('reads a whole number and a unit in powers of 1000, and nothing else', () => {
    expect(parseSize('50GB')).toBe(50e9)
    expect(parseSize('500MB')).toBe(500e6)
    expect(parseSize('1B')).toBe(1)
    for (const text of ['50 GB', '50gb', '0GB', '1.5GB', 'GB', '50GiB']) expect(parseSize(text), text).toBeUndefined()
  })

  it('writes bytes in the units sizes are written in', () => {
    expect(formatSize(999)).toBe('999 B')
    expect(formatSize(38_400_000_000)).toBe('38.4 GB')
    expect(formatSize(760e9)).toBe('760 GB')
    expect(formatSize(22_000_000)).toBe('22 MB')
  })

  it('gives guards.maxRewriteBytes in bytes, and refuses a size it cannot read at its line', () => {
    const plan = (size: string): string => relabelPlan({ customers: ['acme'], per: 'cluster', extra: `guards:\n  maxRewriteBytes: ${size}\n` })
    const loaded = loadPlanText(plan('50GB'), 'plan.yaml')
    expect(loaded.spec.guards.maxRewriteBytes).toBe(50e9)
    expect(loaded.spec.delete === false ? undefined : loaded.spec.delete.maxCustomers).toBe(1000)
    expect(() => loadPlanText(plan('50 gigs'), 'plan.yaml')).toThrow(/plan\.yaml:\d+:\d+: .*maxRewriteBytes/)
  })
})
