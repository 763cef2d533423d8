/**
 * What a terminal shows after some output: text and the cursor movements and erasures a
 * live progress view sends (`CSI n A/B/G`, `CSI 2K/K`, `CSI J`), with colours and other
 * sequences dropped. One cell per code point: enough for the views' own text, not for
 * measuring wide characters. Lines are never wrapped: a line longer than the terminal shows
 * as longer here, so a test sees it.
 */
export class Screen {
  private readonly lines: string[][] = [[]]
  private row = 0
  private col = 0

  write(text: string): void {
    // eslint-disable-next-line no-control-regex -- escape sequences are what a terminal reads
    const pattern = /\u001b\[([?0-9;]*)([A-Za-z])|\n|\r|[^\u001b\n\r]/gu
    for (const match of text.matchAll(pattern)) {
      const [whole, params, command] = match
      if (command !== undefined) this.control(params ?? '', command)
      else if (whole === '\n') this.moveTo(this.row + 1, 0)
      else if (whole === '\r') this.col = 0
      else this.put(whole)
    }
  }

  /** The screen's lines, trailing blanks trimmed, empty lines at the bottom dropped. */
  text(): string {
    const rows = this.lines.map((cells) => cells.join('').trimEnd())
    while (rows.length > 0 && rows.at(-1) === '') rows.pop()
    return rows.join('\n')
  }

  private control(params: string, command: string): void {
    const n = Number(params) || 1
    switch (command) {
      case 'A':
        return this.moveTo(Math.max(0, this.row - n), this.col)
      case 'B':
        return this.moveTo(this.row + n, this.col)
      case 'G':
        this.col = n - 1
        return
      case 'K':
        if (params === '2') this.lines[this.row] = []
        else this.lines[this.row] = this.currentLine().slice(0, this.col)
        return
      case 'J':
        this.lines[this.row] = this.currentLine().slice(0, this.col)
        this.lines.splice(this.row + 1)
        return
      default:
        // Colours, cursor visibility, synchronized output: nothing a screen keeps.
        return
    }
  }

  private put(char: string): void {
    const line = this.currentLine()
    while (line.length < this.col) line.push(' ')
    line[this.col] = char
    this.col++
  }

  private moveTo(row: number, col: number): void {
    while (this.lines.length <= row) this.lines.push([])
    this.row = row
    this.col = col
  }

  private currentLine(): string[] {
    return (this.lines[this.row] ??= [])
  }
}
