import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { loadPlan } from '../../src/plan/load.js'

/**
 * Every file in test/fixtures/invalid is a broken plan; its `.expected.txt` holds the
 * exact lines `bf validate` prints for it. After a deliberate change to a message,
 * regenerate them with `npx vitest run test/plan/invalid-corpus.test.ts --update` and review the diff.
 */
const DIR = 'test/fixtures/invalid'
const fixtures = readdirSync(DIR).filter((name) => name.endsWith('.yaml')).sort()

async function errorsOf(name: string): Promise<string> {
  const error: unknown = await loadPlan(`${DIR}/${name}`).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof UserError)) throw new Error(`${name} loaded without a user error: ${String(error)}`)
  return `${error.message.replaceAll(`${DIR}/`, '')}\n`
}

describe('invalid plans', () => {
  it('are at least 30', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30)
  })

  it.each(fixtures)('%s is refused with its expected messages', async (name) => {
    const printed = await errorsOf(name)
    for (const line of printed.trimEnd().split('\n')) expect(line).toMatch(new RegExp(`^${name.replace('.', '\\.')}:\\d+:\\d+: \\S`))
    await expect(printed).toMatchFileSnapshot(`../fixtures/invalid/${name.replace(/\.yaml$/, '.expected.txt')}`)
  })

  it('reports every error of a file at once, in file order', async () => {
    const lines = (await errorsOf('many-errors.yaml')).trimEnd().split('\n')
    expect(lines).toHaveLength(5)
    const positions = lines.map((line) => line.split(':').slice(1, 3).map(Number))
    expect(positions).toEqual([...positions].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!))
  })
})
