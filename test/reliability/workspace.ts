import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CliResult } from '../support/cli.js'
import { bfProcess, chdbQuery, seedQuickstart } from '../support/cli.js'

/**
 * Runs `bf ARGS` to its end without blocking this process, so that servers a test runs
 * in it (a ClickHouse or Kubernetes stand-in) can answer.
 */
export function bfAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const child = bfProcess(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })))
}

/** What ClickHouse holds: every table's row count and a digest of all its rows, and the mutations submitted. */
export function warehouseDigest(dataDir: string): string {
  const [tables = []] = chdbQuery<{ name: string }>(dataDir, ['SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name'])
  const statements = tables.map(({ name }) => `SELECT '${name}' AS t, count() AS rows, toString(sum(cityHash64(*))) AS digest FROM ${name}`)
  const results = chdbQuery(dataDir, [...statements, 'SELECT count() AS mutations FROM system.mutations'])
  return JSON.stringify(results)
}

/** Every file under `dir` (recursively) with its text, for scanning. */
export function filesUnder(dir: string): { path: string; text: string }[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names.flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path, 'utf8') }]
  })
}

/** Temporary folders, removed together. */
export class TempDirs {
  private readonly dirs: string[] = []
  /** Folders of quickstart data by size, seeded once and never changed. */
  private readonly seeds = new Map<string, string>()

  make(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    this.dirs.push(dir)
    return dir
  }

  /** A copy of `from` (data folder, plan and state) to change without touching the original. */
  copy(from: string, prefix: string): string {
    const dir = this.make(prefix)
    // The engine's data folder links tables to their storage with relative links: copied as they
    // are, they point into the copy rather than back into `from`.
    cpSync(from, dir, { recursive: true, verbatimSymlinks: true })
    return dir
  }

  /** A folder holding quickstart data of `size` in `data/`, seeded on first use: copy it, never change it. */
  seeded(size: { customers: number; days: number; conversationsPerDay: number }): string {
    const key = JSON.stringify(size)
    let dir = this.seeds.get(key)
    if (dir === undefined) {
      dir = this.make('bf-seeded-')
      seedQuickstart(join(dir, 'data'), size)
      this.seeds.set(key, dir)
    }
    return dir
  }

  removeAll(): void {
    this.seeds.clear()
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  }
}

/** A folder with the quickstart data in `data/` and `plan.yaml`. */
export function quickstartWorkspace(dirs: TempDirs, plan: string, size = { customers: 2, days: 2, conversationsPerDay: 20 }): string {
  // A copy of data seeded once per size: the same rows as seeding again, without starting the engine again.
  const dir = dirs.copy(dirs.seeded(size), 'bf-reliability-')
  writeFileSync(join(dir, 'plan.yaml'), plan)
  return dir
}

/** No line of a stack trace: user mistakes print one clear message. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+\(.+:\d+:\d+\)$/m.test(text)
}
