const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/

/** `arg` as a POSIX shell would need it quoted to read it back as one word. */
export function shellQuote(arg: string): string {
  if (PLAIN.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/** The argv on one line and the env added to bf's, one `NAME=value` per line, sorted. */
export function describeCommand(argv: string[], env: Record<string, string>): string {
  const lines = [`command: ${argv.map(shellQuote).join(' ')}`]
  const names = Object.keys(env).sort()
  if (names.length === 0) lines.push('env: (none added)')
  else {
    lines.push('env:')
    for (const name of names) lines.push(`  ${name}=${shellQuote(env[name] ?? '')}`)
  }
  return lines.join('\n')
}
