import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const WAREHOUSE = join(import.meta.dirname, '../../src/warehouse')

describe('the warehouse layer', () => {
  it('loads chdb only through a dynamic import, so installs without it work', () => {
    const staticImports = readdirSync(WAREHOUSE).filter((name) => /from\s+['"]chdb/.test(readFileSync(join(WAREHOUSE, name), 'utf8')))
    expect(staticImports).toEqual([])
  })
})
