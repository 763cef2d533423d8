/** Escaping for text placed in GitHub-flavoured markdown. */

/** Plain text shown as-is in a paragraph: markdown and HTML characters escaped, one line. */
export function markdownText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_~[\]<>|#!]/g, (c) => `\\${c}`)
}

/** Text inside an HTML element such as `<summary>`. */
export function htmlText(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === char ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  return longest
}

/** Inline code that survives backticks in the text (`` `a`b` `` style delimiters). */
export function codeSpan(text: string): string {
  const value = text.replace(/\r?\n/g, ' ')
  const ticks = '`'.repeat(longestRun(value, '`') + 1)
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : ''
  return `${ticks}${pad}${value}${pad}${ticks}`
}

/** A fenced code block whose fence is longer than any backtick run inside it. */
export function codeBlock(language: string, lines: string[]): string[] {
  const fence = '`'.repeat(lines.reduce((longest, line) => Math.max(longest, longestRun(line, '`') + 1), 3))
  return [`${fence}${language}`, ...lines, fence]
}
