/** A position in a source file, 1-based. */
export interface SourcePosition {
  line: number
  col: number
}

/**
 * One finding about a plan or a run: what is wrong, where (a file position or a step
 * address), and what to do. Collected, then rendered together by a view.
 */
export interface Diagnostic {
  severity: 'error' | 'warning'
  /** Stable code for warnings and machine output (`mutable-sort-key`, `unknown-key`…). */
  code: string
  message: string
  /** What would be right, or what to do next (`did you mean "readTable"?`). */
  hint?: string
  file?: string
  position?: SourcePosition
  address?: string
}

/** `plans/2026.yaml:12:3: message (hint)` — the one-line form every command prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.position ? `:${d.position.line}:${d.position.col}` : ''}: ` : d.address ? `${d.address}: ` : ''
  return `${where}${d.message}${d.hint ? ` (${d.hint})` : ''}`
}
