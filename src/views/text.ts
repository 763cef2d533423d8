/** Text helpers shared by the human renderers: numbers, plurals and safe one-line values. */

const NUMBER = new Intl.NumberFormat('en-US')

/** `123456` → `123,456`, always in `en-US` so output does not depend on the machine's locale. */
export function formatNumber(value: number): string {
  return NUMBER.format(value)
}

/** `1 job`, `49 jobs`; `plural(2, 'batch', 'batches')` for irregular words. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${formatNumber(count)} ${count === 1 ? word : many}`
}

// C0 and C1 control characters, including ESC: a customer id or a log line must never
// move the cursor or change colours in someone's terminal. Matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]/g

/** Makes text safe to print: ANSI sequences dropped, other control characters shown as `\uXXXX`. Keeps newlines and tabs. */
export function printable(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Like `printable`, and newlines shown as `\n` so the value stays on one line. */
export function oneLine(text: string): string {
  return printable(text).replace(/\r?\n/g, '\\n').replace(/\t/g, ' ')
}

const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._@:+-]*$/

/** A customer or cluster id as shown to people: bare when plain, JSON-quoted otherwise (`"acme \"eu\"/1"`). */
export function displayId(id: string): string {
  return PLAIN_ID.test(id) ? id : oneLine(JSON.stringify(id))
}

/** Lines of a multi-line text without the trailing empty line a final newline leaves. */
export function linesOf(text: string): string[] {
  const lines = text.split(/\r?\n/)
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return lines
}
