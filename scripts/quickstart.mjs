#!/usr/bin/env node
// The quickstart: makes the embedded-engine data set that reproduces the stale-row bug,
// then runs bf plan, apply, verify and plan again on examples/quickstart/plan.yaml, and
// ends by writing the backfill's report.
// Run through `npm run quickstart` (which builds bf first).
import { spawnSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const example = join(root, 'examples', 'quickstart')
const plan = join('examples', 'quickstart', 'plan.yaml')
const bf = join(root, 'bin', 'run.js')

function step(title, args, { allowExit = [0] } = {}) {
  process.stdout.write(`\n$ bf ${args.join(' ')}\n`)
  const run = spawnSync(process.execPath, [bf, ...args], { cwd: root, stdio: 'inherit' })
  if (!allowExit.includes(run.status ?? 1)) {
    process.stderr.write(`\nquickstart: "${title}" exited with ${run.status}\n`)
    process.exit(run.status ?? 1)
  }
  return run.status
}

const { prepareQuickstart } = await import(join(root, 'dist', 'quickstart', 'index.js'))
await rm(join(example, '.bf'), { recursive: true, force: true })
process.stdout.write('Making examples/quickstart/data: stale labels that FINAL cannot remove…\n')
const made = await prepareQuickstart(join(example, 'data'))
process.stdout.write(`${JSON.stringify(made)}\n`)

step('validate', ['validate', plan])
step('plan (shows the duplicates)', ['plan', plan, '--no-color'])
step('verify before apply (fails: duplicates)', ['verify', plan, '--no-color'], { allowExit: [1] })
step('apply', ['apply', plan, '--auto-approve', '--no-color'])
step('verify after apply', ['verify', plan, '--no-color'])
const again = step('plan again (no changes)', ['plan', plan, '--no-color', '--detailed-exitcode'])
const report = join('examples', 'quickstart', 'report.html')
step('report', ['report', plan, '-o', report])
process.stdout.write(again === 0 ? '\nQuickstart done: the backfill is applied and verified.\n' : '\nQuickstart: the second plan still has changes.\n')
process.stdout.write(`Open its report in a browser: ${join(root, report)}\n`)
process.exit(again)
