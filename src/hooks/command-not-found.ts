import type { Hook } from '@oclif/core'
import { Errors } from '@oclif/core'
import { closest } from '../plan/did-you-mean.js'

/**
 * `bf pln FILE`: one line naming the command bf thinks was meant, and exit 1. The id
 * oclif hands over holds the arguments too (`pln:FILE`): the longest leading words that
 * resemble a command are taken as the command typed.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const words = options.id.split(':')
  const known = options.config.commands.filter((command) => !command.hidden).map((command) => command.id.replaceAll(':', ' '))
  for (let count = Math.min(words.length, 2); count > 0; count--) {
    const typed = words.slice(0, count).join(' ')
    const guess = closest(typed, known)
    if (guess !== undefined) throw new Errors.CLIError(`${typed} is not a bf command: did you mean bf ${guess}?`, { exit: 1 })
  }
  throw new Errors.CLIError(`${words[0] ?? ''} is not a bf command: run bf help for the list of commands`, { exit: 1 })
}

export default hook
