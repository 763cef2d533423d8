/** One check that did not hold for a unit: which, the value seen and what was expected. */
export interface CheckFailure {
  check: string
  seen: string | number | null
  expected: string
  /** A few offending keys, for duplicates. */
  examples?: string[]
}

export interface UnitVerification {
  address: string
  ok: boolean
  rows: number
  keys: number
  expected?: number
  duplicates: number
  /** keys / expected, when the plan has an expected source and something was expected. */
  ratio?: number
  /** Nothing expected and nothing written: reported as "no data", not as a ratio of 1. */
  noData: boolean
  failures: CheckFailure[]
}

/** The result of `bf verify` (and of every verify step, one unit at a time). */
export interface VerifyReport {
  units: number
  failed: UnitVerification[]
  /** Units that passed with no data (see `UnitVerification.noData`). */
  noData: string[]
}
