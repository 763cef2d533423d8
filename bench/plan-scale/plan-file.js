// A large plan: the quickstart's shape over several clusters (each on the same embedded
// data folder, or on the server at `url`), many customers and a year of days; `state`
// lines added when given (e.g. the clickhouse backend), written to `file` (default plan.yaml).
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { root } from '../lib/paths.js'

export async function writeScalePlan(dir, { clusters, customers, start, days, state = [], file = 'plan.yaml', url }) {
  const text = await readFile(join(root, 'examples', 'quickstart', 'plan.yaml'), 'utf8')
  const head = text.slice(0, text.indexOf('\nclusters:'))
  const end = new Date(Date.parse(start) + days * 86_400_000).toISOString().replace('.000Z', 'Z')
  const body = head
    .replace('name: quickstart', 'name: scale')
    .replace('start: 2026-01-01T00:00:00Z', `start: ${start}`)
    .replace('end: 2026-01-15T00:00:00Z', `end: ${end}`)
  const lines = [body, ...state, '', 'clusters:']
  for (const name of clusters) {
    lines.push(`  ${name}:`, '    clickhouse:', url === undefined ? '      embedded: ./data' : `      url: ${url}`, `    customers: [${customers.join(', ')}]`)
  }
  const path = join(dir, file)
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}
