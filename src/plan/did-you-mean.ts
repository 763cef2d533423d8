/** Edit distance between two strings: insertions, deletions, substitutions and swaps of neighbours (`tabel` → `table` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = best
    }
  }
  return rows[a.length]![b.length]!
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo: the
 * same word in another case, at most a third of its letters off (at least one), or a
 * shortened form of it (`alaska` for `alaska-air`).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  let extension: string | undefined
  for (const candidate of candidates) {
    if (candidate === word) continue
    if (candidate.toLowerCase() === word.toLowerCase()) return candidate
    if (word.length >= 4 && candidate.startsWith(word)) extension ??= candidate
    if (Math.abs(candidate.length - word.length) > limit) continue
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance <= limit && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best ?? extension
}

/** `did you mean "readTable"?`, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates)
  return match === undefined ? undefined : `did you mean ${JSON.stringify(match)}?`
}
