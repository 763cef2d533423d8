import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url))

/**
 * Compares `actual` with `test/fixtures/golden/<name>` exactly. `UPDATE_GOLDEN=1`
 * rewrites the file instead; review the diff of the golden files before keeping it.
 */
export function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name)
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, actual)
    return
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/views`)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}
