import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { UserError } from '../errors.js'
import { semanticFindings } from './checks/index.js'
import { isRecord } from './checks/access.js'
import type { Diagnostic, SourcePosition } from './diagnostics.js'
import type { Finding } from './finding.js'
import type { PlanSpec } from './model.js'
import type { RawPlan } from './raw.js'
import { resolvePlan } from './resolve.js'
import { SUPPORTED_VERSIONS } from './schema.js'
import { SourceMap } from './source-map.js'
import { validateAgainstSchema } from './validate-schema.js'
import { readYaml } from './yaml-read.js'

/** A plan that loaded: the resolved model, and what is worth a look but not wrong. */
export interface LoadedPlan {
  spec: PlanSpec
  warnings: Diagnostic[]
}

export interface LoadOptions {
  /** Files larger than this are refused before they are parsed. Default 5 MB. */
  maxBytes?: number
}

export const DEFAULT_MAX_PLAN_BYTES = 5 * 1024 * 1024

/**
 * Reads, parses, checks and resolves a plan file. A plan with problems throws one
 * `UserError` carrying every error found (`file:line:col: message (hint)` each).
 */
export async function loadPlan(file: string, options: LoadOptions = {}): Promise<LoadedPlan> {
  return loadPlanBytes(await readPlanFile(file, options.maxBytes ?? DEFAULT_MAX_PLAN_BYTES), file)
}

/** `loadPlan` for text already in memory; `file` names it in messages and anchors relative paths. */
export function loadPlanText(text: string, file: string): LoadedPlan {
  return loadPlanBytes(Buffer.from(text, 'utf8'), file)
}

async function readPlanFile(file: string, maxBytes: number): Promise<Buffer> {
  const refuse = (code: string, message: string, hint?: string): never => {
    throw UserError.fromDiagnostics([{ severity: 'error', code, message, file, ...(hint ? { hint } : {}) }])
  }
  try {
    const handle = await open(file, 'r')
    try {
      const stats = await handle.stat()
      if (!stats.isFile()) return refuse('unreadable-file', 'the plan is not a file')
      if (stats.size > maxBytes) {
        return refuse('file-too-large', `the plan file is ${megabytes(stats.size)}, larger than the ${megabytes(maxBytes)} bf reads`, 'a plan lists clusters and customers, not data; is this the right file?')
      }
      return await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (error instanceof UserError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String((error as Error).message)
    return refuse('unreadable-file', `cannot read the plan file: ${reason}`)
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`
}

function loadPlanBytes(bytes: Buffer, file: string): LoadedPlan {
  const located = (findings: Finding[], at: (finding: Finding) => SourcePosition): Diagnostic[] =>
    findings.map((f) => ({ severity: f.severity, code: f.code, message: f.message, ...(f.hint ? { hint: f.hint } : {}), file, position: at(f) }))
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw UserError.fromDiagnostics([{ severity: 'error', code: 'not-utf8', message: 'the plan file is not UTF-8 text', file }])
  }
  const parsed = readYaml(text)
  if (!parsed.ok) throw fail(located(parsed.findings, (f) => parsed.lineCounter.linePos(f.offset ?? 0)))
  const { yaml } = parsed
  const map = new SourceMap(yaml)
  const at = (f: Finding) => map.positionOf(f)

  const version = isRecord(yaml.data) ? yaml.data.version : undefined
  if (version !== undefined && String(version) !== '1') {
    const supported = SUPPORTED_VERSIONS.join(', ')
    throw fail(located([{ severity: 'error', code: 'unsupported-version', message: `plan language version ${JSON.stringify(version)} is not supported`, hint: `supported: ${supported}`, path: ['version'] }], at))
  }

  const findings = [...parsed.warnings, ...validateAgainstSchema(yaml.data), ...semanticFindings(yaml.data, (path) => map.lineOf(path))]
  const diagnostics = located(findings, at)
  const errors = diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw fail(errors)

  const source = { file, dir: resolve(dirname(file)), sha256: createHash('sha256').update(bytes).digest('hex') }
  const clusterOrder = map.keysAt(['clusters'])
  const spec = resolvePlan(yaml.data as RawPlan, { source, clusterOrder, plainText: (path) => map.plainText(path) })
  return { spec, warnings: sorted(diagnostics.filter((d) => d.severity === 'warning')) }
}

function fail(diagnostics: Diagnostic[]): UserError {
  return UserError.fromDiagnostics(sorted(unique(diagnostics)))
}

function unique(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return diagnostics.filter((d) => {
    const key = `${d.position?.line}:${d.position?.col}:${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** By line and column, so the output reads top to bottom like the file. */
function sorted(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.col ?? 0) - (b.position?.col ?? 0))
}
