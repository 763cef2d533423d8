import sliceAnsi from 'slice-ansi'
import stringWidth from 'string-width'

/**
 * `text` cut to at most `columns` terminal columns, ending in `…` when something was cut.
 * Columns are counted as a terminal shows them: a CJK character or an emoji takes two, a
 * combining mark none, and colour codes none (they are kept, and closed where the text is cut).
 */
export function fitColumns(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text
  if (columns < 1) return ''
  let kept = sliceAnsi(text, 0, columns - 1)
  // slice-ansi keeps a wide character that starts before the cut and ends past it.
  if (stringWidth(kept) > columns - 1) kept = sliceAnsi(text, 0, columns - 2)
  return `${kept}…`
}
