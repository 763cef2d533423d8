import type { CheckFailure, UnitVerification, VerifyReport } from '../engine/verify-model.js'
import { palette } from './palette.js'
import { renderTable } from './table.js'
import { formatNumber, oneLine, plural } from './text.js'

const EXAMPLES_SHOWN = 3

function seenText(seen: CheckFailure['seen']): string {
  if (seen === null) return '—'
  return typeof seen === 'number' ? formatNumber(seen) : oneLine(seen)
}

function examplesText(examples: string[] | undefined): string {
  if (!examples || examples.length === 0) return ''
  const shown = examples.slice(0, EXAMPLES_SHOWN).map(oneLine).join(', ')
  return examples.length > EXAMPLES_SHOWN ? `${shown}, +${examples.length - EXAMPLES_SHOWN} more` : shown
}

function failureRows(unit: UnitVerification): string[][] {
  return unit.failures.map((failure, index) => [
    index === 0 ? oneLine(unit.address) : '',
    oneLine(failure.check),
    seenText(failure.seen),
    oneLine(failure.expected),
    examplesText(failure.examples),
  ])
}

/** `3 units had no data: local/typo/2026-01-01 … (nothing expected, nothing written)`, or nothing. */
function noDataLine(report: VerifyReport): string[] {
  const count = report.noData.length
  if (count === 0) return []
  const shown = report.noData.slice(0, EXAMPLES_SHOWN).map(oneLine).join(', ')
  const more = count > EXAMPLES_SHOWN ? `, +${formatNumber(count - EXAMPLES_SHOWN)} more` : ''
  return [`${plural(count, 'unit')} had no data (nothing expected, nothing written): ${shown}${more}. A customer id may be wrong; verify.requireData: true fails them.`]
}

/**
 * `bf verify` for a person: `All N units verified.`, or how many failed and a table of
 * every failed check (address, check, value seen, expectation, a few example keys); units
 * that passed with no data are named apart, never counted as verified.
 */
export function renderVerifyReport(report: VerifyReport, options: { color: boolean }): string {
  const c = palette(options.color)
  const noData = noDataLine(report).map((line) => c.yellow(line))
  if (report.failed.length === 0) {
    const withData = report.units - report.noData.length
    const head = report.noData.length === 0 ? `All ${plural(report.units, 'unit')} verified.` : `${formatNumber(withData)} of ${plural(report.units, 'unit')} verified.`
    return `${[c.green(head), ...noData].join('\n')}\n`
  }
  const rows = report.failed.flatMap(failureRows)
  const [header = '', ...body] = renderTable(['ADDRESS', 'CHECK', 'SEEN', 'EXPECTED', 'EXAMPLES'], rows)
  const title = c.red.bold(`Verification failed for ${formatNumber(report.failed.length)} of ${plural(report.units, 'unit')}:`)
  return `${[title, '', c.bold(header), ...body, ...(noData.length > 0 ? ['', ...noData] : [])].join('\n')}\n`
}

/** `bf verify --json`: the report with stable keys; absent figures are `null`. */
export function verifyReportToJson(report: VerifyReport): object {
  return {
    format_version: '1',
    units: report.units,
    failed: report.failed.map((unit) => ({
      address: unit.address,
      rows: unit.rows,
      keys: unit.keys,
      expected: unit.expected ?? null,
      duplicates: unit.duplicates,
      ratio: unit.ratio ?? null,
      failures: unit.failures.map((failure) => ({
        check: failure.check,
        seen: failure.seen,
        expected: failure.expected,
        examples: failure.examples ?? [],
      })),
    })),
    no_data: [...report.noData],
  }
}
