import { createInterface } from 'node:readline/promises'
import { UserError } from '../errors.js'

/** Asks Terraform's question on a terminal; only `yes` proceeds. Refuses without a terminal. */
export async function confirmApply(): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UserError('stdin is not a terminal, so bf cannot ask for approval: pass --auto-approve to apply without the prompt')
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    const answer = await rl.question("Apply these changes? Only 'yes' will be accepted: ")
    return answer.trim() === 'yes'
  } finally {
    rl.close()
  }
}
