import type { Diagnostic } from './plan/diagnostics.js'
import { formatDiagnostic } from './plan/diagnostics.js'

/**
 * A mistake the user can fix (bad plan file, missing env var, lock held, stale saved
 * plan). Commands print its message without a stack trace and exit 1.
 */
export class UserError extends Error {
  readonly diagnostics: Diagnostic[]

  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super(message)
    this.name = 'UserError'
    this.diagnostics = diagnostics
  }

  /** An error carrying every diagnostic of a failed load, one line each. */
  static fromDiagnostics(diagnostics: Diagnostic[]): UserError {
    return new UserError(diagnostics.map(formatDiagnostic).join('\n'), diagnostics)
  }
}
