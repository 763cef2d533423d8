import { Args, Help } from '@oclif/core'
import { BfCommand } from '../cli/base-command.js'

export default class HelpCommand extends BfCommand {
  static override summary = 'Show help for bf, a topic or a command.'
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help plan', '<%= config.bin %> help state list']
  static override strict = false
  static override args = { command: Args.string({ description: 'The command or topic, in words (plan, state list).', required: false }) }

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand)
    await new Help(this.config).showHelp(argv as string[])
  }
}
