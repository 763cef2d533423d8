/** Fitting a markdown document into a size limit without leaving it broken. */

const FENCE = /^ {0,3}(`{3,}|~{3,})/

interface Open {
  fence: string | null
  details: number
}

function step(open: Open, line: string): Open {
  const fence = FENCE.exec(line)?.[1]
  if (open.fence !== null) {
    const closes = fence !== undefined && fence[0] === open.fence[0] && fence.length >= open.fence.length && line.trim() === fence
    return closes ? { ...open, fence: null } : open
  }
  if (fence !== undefined) return { ...open, fence }
  if (line.startsWith('<details')) return { ...open, details: open.details + 1 }
  if (line.startsWith('</details>')) return { ...open, details: Math.max(0, open.details - 1) }
  return open
}

/** Lines that close whatever is open after a cut: the code fence, then each `<details>`. */
function closers(open: Open): string[] {
  const lines = open.fence !== null ? [open.fence] : []
  for (let i = 0; i < open.details; i++) lines.push('', '</details>')
  return lines
}

function truncationNote(more: number): string {
  return `… truncated: ${more.toLocaleString('en-US')} more lines; run bf plan locally for the full plan`
}

const size = (lines: string[]): number => lines.reduce((total, line) => total + line.length + 1, 0)

/**
 * Joins `lines` into a document of at most `maxChars` characters. When they do not all
 * fit, keeps the longest prefix that fits together with what closes its open code fence
 * and `<details>` elements and the note `… truncated: N more lines; …`. Reads `lines`
 * once and keeps no more than fits.
 */
export function fitMarkdown(lines: Iterable<string>, maxChars: number): string {
  const kept: string[] = []
  let length = 0
  let more = 0
  for (const line of lines) {
    if (more > 0 || length + line.length + 1 > maxChars) more++
    else {
      kept.push(line)
      length += line.length + 1
    }
  }
  if (more === 0) return kept.map((line) => `${line}\n`).join('')

  let open: Open = { fence: null, details: 0 }
  let best = { count: 0, open }
  let prefix = 0
  for (let count = 1; count <= kept.length; count++) {
    const line = kept[count - 1] as string
    open = step(open, line)
    prefix += line.length + 1
    const tail = [...closers(open), '', truncationNote(kept.length - count + more)]
    if (prefix + size(tail) <= maxChars) best = { count, open }
  }
  const tail = [...closers(best.open), '', truncationNote(kept.length - best.count + more)]
  return [...kept.slice(0, best.count), ...tail].map((line) => `${line}\n`).join('')
}
