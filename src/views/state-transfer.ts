import type { ImportOutcome } from '../engine/state-transfer/transfer.js'
import { formatNumber, oneLine } from './text.js'

export interface ImportWords {
  /** `push`: a file into a state; `migrate`: a state into another backend. */
  verb: 'push' | 'migrate'
  plan: string
  /** The incoming state as the user named it: a file, a state folder, a plan file. */
  from: string
  /** Where the plan's state lives (`describeStateLocation`). */
  to: string
}

/** What `bf state push` or `bf state migrate` did, in one line. */
export function renderImport(outcome: ImportOutcome, words: ImportWords): string {
  const from = oneLine(words.from)
  const to = oneLine(words.to)
  const { written, previous } = outcome
  const head = `lineage ${written.lineage}, serial ${written.serial}`
  if (outcome.action === 'unchanged') {
    return `The state of ${oneLine(words.plan)} in ${to} already is the one in ${from} (${head}): nothing to ${words.verb === 'push' ? 'push' : 'copy'}.\n`
  }
  const replaced = previous.lineage === '' ? 'there was no state before' : `it replaced ${previous.lineage === written.lineage ? '' : `lineage ${previous.lineage}, `}serial ${previous.serial}`
  const steps = `${formatNumber(outcome.steps)} step${outcome.steps === 1 ? '' : 's'}`
  const what = words.verb === 'push' ? `Pushed ${from} to the state of ${oneLine(words.plan)} in ${to}` : `Copied the state of ${oneLine(words.plan)} from ${from} to ${to}`
  return `${what}: ${steps}, ${head} (${replaced}).\n`
}

/** The refusals `--force` overrode, one warning each. */
export function renderOverridden(outcome: ImportOutcome): string[] {
  return outcome.overridden.map((problem) => `Warning: --force: ${oneLine(problem)}`)
}
