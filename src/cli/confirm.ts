import { createInterface } from 'node:readline/promises'
import { UserError } from '../errors.js'

/**
 * Asks `question` on a terminal, Terraform's way: only `yes` proceeds. Without a terminal
 * there is nobody to ask: refuses with `noTerminal`, which names the flag that skips the question.
 */
export async function confirm(question: string, noTerminal: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UserError(noTerminal)
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `)
    return answer.trim() === 'yes'
  } finally {
    rl.close()
  }
}

export function confirmApply(): Promise<boolean> {
  return confirm('Apply these changes?', 'stdin is not a terminal, so bf cannot ask for approval: pass --auto-approve to apply without the prompt')
}
