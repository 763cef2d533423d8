import { describe, expect, it } from 'vitest'
import { formatFigures, runSoak } from '../../scripts/soak-lib.mjs'
import { ensureBuilt } from '../support/cli.js'

// BF_SOAK_SEED replays a failed run; otherwise every run draws new kill moments.
const seed = Number(process.env.BF_SOAK_SEED ?? Math.floor(Math.random() * 1_000_000))

describe('crash-resume soak', () => {
  it('an apply SIGKILLed at random moments resumes to the uninterrupted result', { timeout: 240_000 }, async () => {
    ensureBuilt()
    const figures = await runSoak({ trials: 10, seed, size: 'small' })
    const replay = `seed ${seed}: replay with BF_SOAK_SEED=${seed}, or node scripts/soak.mjs --size small --trials 10 --seed ${seed}`
    const report = `${formatFigures(figures)}\n${replay}`
    expect(figures.failures, report).toEqual([])
    expect(figures.passed, report).toBe(10)
    expect(figures.kills, report).toBeGreaterThan(0)
    expect(figures.statesLoadedAfterKill, report).toBe(figures.kills)
  })
})
