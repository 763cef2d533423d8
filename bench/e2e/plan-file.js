// The quickstart plan (examples/quickstart/plan.yaml) resized to the generated data.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { root } from '../lib/paths.js'

/** Writes `plan.yaml` into `dir` for `customers` from `start` over `days`, on `embedded: ./data`; `concurrency` jobs at once when given; `stateBackend: 'clickhouse'` keeps the state in that engine. */
export async function writeQuickstartPlan(dir, { customers, start, days, deletePer = 'customer', concurrency, stateBackend }) {
  const text = await readFile(join(root, 'examples', 'quickstart', 'plan.yaml'), 'utf8')
  const end = new Date(Date.parse(start) + days * 86_400_000).toISOString().replace('.000Z', 'Z')
  const replace = (from, to) => {
    if (!text.includes(from)) throw new Error(`examples/quickstart/plan.yaml no longer holds ${JSON.stringify(from)}`)
    return (t) => t.replace(from, to)
  }
  const edits = [
    replace('start: 2026-01-01T00:00:00Z', `start: ${start.replace('.000Z', 'Z')}`),
    replace('end: 2026-01-15T00:00:00Z', `end: ${end}`),
    replace('customers: [alaska-air, acme, globex]', `customers: [${customers.join(', ')}]`),
    replace('per: customer', `per: ${deletePer}`),
    ...(concurrency === undefined ? [] : [replace('concurrency: 2', `concurrency: ${concurrency}`)]),
    ...(stateBackend === undefined ? [] : [replace('\nclusters:', `\nstate:\n  backend: ${stateBackend}\n\nclusters:`)]),
  ]
  const file = join(dir, 'plan.yaml')
  await writeFile(file, edits.reduce((t, edit) => edit(t), text))
  return file
}
