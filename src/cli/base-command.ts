import { Command, Errors, Flags } from '@oclif/core'
import { UserError } from '../errors.js'

/** Whether errors show their stack (`BF_DEBUG=1`). */
export function debugging(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BF_DEBUG === '1' || env.BF_DEBUG === 'true'
}

/**
 * Every bf command: user mistakes print one clear message and exit 1, without a stack
 * trace unless `BF_DEBUG=1`.
 */
export abstract class BfCommand extends Command {
  static override baseFlags = {
    'no-color': Flags.boolean({ summary: 'Print without colour (also NO_COLOR or a pipe).', default: false, helpGroup: 'GLOBAL' }),
  }

  /** Colour only on a terminal, and never with `--no-color` or `NO_COLOR`. */
  protected useColor(noColorFlag: boolean): boolean {
    return !noColorFlag && !process.env.NO_COLOR && process.stdout.isTTY === true
  }

  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  protected err(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /**
   * Says why the command failed and exits 1: on stderr, or with `--json` as one JSON
   * document on stdout (`{"error":{"message":…}}`), where a program reading the output looks.
   */
  private fail(text: string, message: string): never {
    if (this.argv.includes('--json')) this.out(JSON.stringify({ error: { message } }))
    else this.err(text)
    return this.exit(1)
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    if (error instanceof UserError || error.name === 'WarehouseError' || error.name === 'LockHeldError') {
      // Diagnostics already say where (`plan.yaml:12:3: …`), one per line.
      const located = error instanceof UserError && error.diagnostics.length > 0
      this.fail(debugging() && error.stack ? error.stack : located ? error.message : `Error: ${error.message}`, error.message)
    }
    if (error instanceof Errors.CLIError && 'parse' in error) {
      // A usage error (unknown flag, bad value, missing argument) is a user mistake like any
      // other: exit 1, never 2, which `--detailed-exitcode` keeps for "changes present".
      const lines = error.message.split('\n')
      const end = lines.findIndex((line) => line.startsWith('See more help') || line.startsWith('Note:'))
      const text = (end === -1 ? lines : lines.slice(0, end))
        .map((line) => line.trim().replace(/\s{2,}/g, ' — '))
        .filter((line) => line !== '')
        .join(' ')
      const hint = `see ${this.config.bin} ${(this.id ?? '').replaceAll(':', ' ')} --help`
      this.fail(`Error: ${text} (${hint})`, `${text} (${hint})`)
    }
    if (error instanceof Errors.CLIError) throw error
    this.fail(debugging() && error.stack ? error.stack : `Error: ${error.message}\n(set BF_DEBUG=1 for the stack trace)`, error.message)
  }
}
