import { createHash } from 'node:crypto'

/** Longest valid Job name: a DNS label. */
export const MAX_JOB_NAME_LENGTH = 63

/** What makes a Job name: one per unit and attempt within a state's history. */
export interface JobNameInput {
  planName: string
  lineage: string
  unitAddress: string
  customer: string
  /** `2026-01-15` or `2026-01-15T06`. */
  batchLabel: string
  attempt: number
}

/**
 * A deterministic, readable Job name: `bf-<plan>-<customer>-<batch>-a<attempt>-<hash>`,
 * e.g. `bf-relabel-2026-alaska-air-20260115-a1-3f9c2e`. Plan and customer slugs are cut to
 * fit 63 characters; the hash covers the full unit address, attempt and lineage, so ids
 * that slug alike (`Alaska Air`, `alaska_air`) or not at all (`東京`) still get their own name.
 */
export function jobName(input: JobNameInput): string {
  const hash = shortHash(`${input.lineage}\n${input.unitAddress}\n${input.attempt}`, 6)
  const tail = `${compactBatchLabel(input.batchLabel)}-a${input.attempt}-${hash}`
  const budget = MAX_JOB_NAME_LENGTH - 'bf-'.length - tail.length - 1
  const [plan, customer] = fitPair(slug(input.planName), slug(input.customer), budget)
  return ['bf', plan, customer, tail].filter((part) => part.length > 0).join('-')
}

/** `bf.dev/unit` label value: a short hash of the unit address (label values are limited). */
export function unitLabel(unitAddress: string): string {
  return shortHash(unitAddress, 16)
}

/** Lowercase ASCII letters, digits and single dashes; accents dropped, anything else a dash. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** `2026-01-15` → `20260115`, `2026-01-15T06` → `20260115t06`. */
export function compactBatchLabel(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]/g, '')
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}

/** Cuts the longer of two slugs until both fit `budget` with a dash between them. */
function fitPair(first: string, second: string, budget: number): [string, string] {
  let a = first
  let b = second
  const size = (): number => a.length + b.length + (a && b ? 1 : 0)
  while (size() > budget && (a || b)) {
    if (a.length >= b.length) a = a.slice(0, -1)
    else b = b.slice(0, -1)
  }
  return [trimDashes(a), trimDashes(b)]
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, '')
}
