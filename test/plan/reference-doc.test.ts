import { expect, it } from 'vitest'
import { planReferenceMarkdown, referenceRows } from '../../src/plan/reference.js'

/**
 * `docs/plan-reference.md` is generated from the plan schema. After changing the schema,
 * regenerate it with `npx vitest run test/plan/reference-doc.test.ts --update`.
 */
it('docs/plan-reference.md is the reference generated from the schema', async () => {
  await expect(planReferenceMarkdown()).toMatchFileSnapshot('../../docs/plan-reference.md')
})

it('lists every key once, nested keys by path', () => {
  const paths = referenceRows().map((row) => row.path)
  expect(new Set(paths).size).toBe(paths.length)
  expect(paths).toEqual(
    expect.arrayContaining(['version', 'window.batch', 'target.readTable', 'delete.timeout', 'job.env', 'verify.checks[].expect.between', 'clusters.<name>.clickhouse.url', 'clusters.<name>.customers[].window.start']),
  )
  const readTable = referenceRows().find((row) => row.path === 'target.readTable')
  expect(readTable).toMatchObject({ type: 'table name', required: false, default: 'table' })
})
