/**
 * Columns aligned with two spaces between them, no trailing spaces. Widths count UTF-16
 * units, which is right for the ASCII addresses and figures these tables hold.
 */
export function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), title.length))
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}
