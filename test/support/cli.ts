import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const BIN = join(ROOT, 'bin', 'run.js')

/** The CLI runs from `dist/`: build it once when a test needs it and it is missing. */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'commands', 'apply.js'))) return
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' })
}

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs `bf ARGS` to its end. */
export function bf(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 120_000,
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** Starts `bf ARGS` and hands back the child, for tests that signal or kill it. */
export function bfProcess(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Runs `bf ARGS` to its end without blocking this process, for tests whose process serves what bf talks to. */
export async function bfAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const child = bfProcess(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [status] = (await once(child, 'close')) as [number | null]
  return { status, stdout, stderr }
}

/** Runs SQL on an embedded data folder in a child process; one array of rows per statement. */
export function chdbQuery<T = Record<string, unknown>>(dataDir: string, statements: string[]): T[][] {
  const out = execFileSync(process.execPath, [join(ROOT, 'test', 'support', 'chdb-child.mjs'), dataDir, JSON.stringify(statements)], { encoding: 'utf8', cwd: ROOT })
  return out.trim().split('\n').map((line) => JSON.parse(line) as T[])
}

/** Makes the quickstart data set in `dataDir` from a child process. */
export function seedQuickstart(dataDir: string, size: { customers: number; days: number; conversationsPerDay: number }): void {
  const script = `const { prepareQuickstart } = await import(${JSON.stringify(join(ROOT, 'dist', 'quickstart', 'index.js'))}); await prepareQuickstart(${JSON.stringify(dataDir)}, ${JSON.stringify(size)})`
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'inherit' })
}
