export interface SoakSize {
  customers: number
  days: number
  conversationsPerDay: number
}

export const SIZES: { quickstart: SoakSize; small: SoakSize }

export interface SoakOptions {
  trials: number
  /** Trial i uses seed + i. */
  seed: number
  size?: keyof typeof SIZES
  /** Kills per trial at most (default 3). */
  maxKills?: number
  /** Keep every trial's folder (failed ones are always kept). */
  keep?: boolean
  log?: (line: string) => void
}

export interface SoakFigures {
  trials: number
  seed: number
  size: string
  dimensions: SoakSize
  units: number
  referenceMs: number
  elapsedMs: number
  kills: number
  /** Kills that caught a step of each kind running; `planning` and `between steps` when none ran. */
  killsByKind: Record<string, number>
  endedBeforeKill: number
  statesLoadedAfterKill: number
  resumes: { total: number; median: number; max: number }
  passed: number
  failures: { seed: number; failures: string[] }[]
  /** Where failed trials were kept. */
  work: string
}

export function prng(seed: number): () => number
export function runSoak(options: SoakOptions): Promise<SoakFigures>
export function formatFigures(figures: SoakFigures): string
