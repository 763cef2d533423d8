#!/usr/bin/env node
// The crash-resume soak: `node scripts/soak.mjs --trials 50` (after `npm run build`).
// Options: --trials N (50), --seed S (random; trial i uses S + i), --size quickstart|small,
// --max-kills K per trial (3), --keep (keep every trial's folder). Exits 1 when a check fails.
import { parseArgs } from 'node:util'
import { formatFigures, runSoak, SIZES } from './soak-lib.mjs'

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    seed: { type: 'string' },
    size: { type: 'string', default: 'quickstart' },
    'max-kills': { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
})

const trials = Number(values.trials)
const seed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(values.seed)
const maxKills = Number(values['max-kills'])
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed) || !Number.isInteger(maxKills) || maxKills < 1 || !(values.size in SIZES)) {
  process.stderr.write(`usage: node scripts/soak.mjs [--trials N] [--seed S] [--size ${Object.keys(SIZES).join('|')}] [--max-kills K] [--keep]\n`)
  process.exit(2)
}

process.stdout.write(`soak: ${trials} trials, seed ${seed} (replay one trial with --seed <its seed> --trials 1 --size ${values.size})\n`)
const figures = await runSoak({ trials, seed, size: values.size, maxKills, keep: values.keep, log: (line) => process.stdout.write(`${line}\n`) })
process.stdout.write(`\n${formatFigures(figures)}\n`)
process.exit(figures.passed === figures.trials ? 0 : 1)
