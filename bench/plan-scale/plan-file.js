// A large plan: the quickstart's shape over several clusters (each on the same embedded
// data folder), many customers and a year of days.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { root } from '../lib/paths.js'

export async function writeScalePlan(dir, { clusters, customers, start, days }) {
  const text = await readFile(join(root, 'examples', 'quickstart', 'plan.yaml'), 'utf8')
  const head = text.slice(0, text.indexOf('\nclusters:'))
  const end = new Date(Date.parse(start) + days * 86_400_000).toISOString().replace('.000Z', 'Z')
  const body = head
    .replace('name: quickstart', 'name: scale')
    .replace('start: 2026-01-01T00:00:00Z', `start: ${start}`)
    .replace('end: 2026-01-15T00:00:00Z', `end: ${end}`)
  const lines = [body, '', 'clusters:']
  for (const name of clusters) {
    lines.push(`  ${name}:`, '    clickhouse:', '      embedded: ./data', `    customers: [${customers.join(', ')}]`)
  }
  const file = join(dir, 'plan.yaml')
  await writeFile(file, `${lines.join('\n')}\n`)
  return file
}
