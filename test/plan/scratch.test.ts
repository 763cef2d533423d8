import { it } from 'vitest'
import { readdirSync } from 'node:fs'
import { loadPlan } from '../../src/plan/load.js'
it('x', async () => {
  const dir = process.env.FX ?? '/tmp/fx'
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    if (process.env.ONLY && !f.includes(process.env.ONLY)) continue
    try { const p = await loadPlan(`${dir}/${f}`); console.log(`== ${f}: OK`, p.warnings.length ? p.warnings : '') }
    catch (e) { console.log(`== ${f}\n${(e as Error).message}`) }
  }
})
