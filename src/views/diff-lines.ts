import type { ChalkInstance } from 'chalk'
import { linesOf, printable } from './text.js'

/** A unified diff, indented, its added and removed lines coloured when `c` has colour. */
export function diffLines(text: string, indent: string, c: ChalkInstance): string[] {
  return linesOf(printable(text)).map((line) => {
    if (line.startsWith('+++') || line.startsWith('---')) return `${indent}${c.bold(line)}`
    if (line.startsWith('@@')) return `${indent}${c.cyan(line)}`
    if (line.startsWith('+')) return `${indent}${c.green(line)}`
    if (line.startsWith('-')) return `${indent}${c.red(line)}`
    return `${indent}${line}`.trimEnd()
  })
}
