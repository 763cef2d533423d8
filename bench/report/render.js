// Child process: opens a report in the system's Chromium, `runs` times in fresh pages, and
// prints the median time from navigation to the end of the load event, in milliseconds.
// Usage: node bench/report/render.js FILE RUNS
import { chromium } from 'playwright-core'

const [file, runsText] = process.argv.slice(2)
const runs = Number(runsText)
const executablePath = process.env.BF_CHROMIUM ?? '/usr/bin/chromium'
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const browser = await chromium.launch({ executablePath, args })
const times = []
let cells = 0
try {
  for (let run = 0; run < runs; run++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(`file://${file}`, { waitUntil: 'load', timeout: 60_000 })
    // Until the first frame is painted after load: the page is on screen.
    const timing = await page.evaluate(
      `new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => { const [entry] = performance.getEntriesByType('navigation'); resolve({ load: entry.loadEventEnd, painted: performance.now() }) })))`,
    )
    cells = await page.evaluate(`document.querySelectorAll('table.grid td').length`)
    times.push(Math.max(timing.load, timing.painted))
    await page.close()
  }
} finally {
  await browser.close()
}
times.sort((a, b) => a - b)
process.stdout.write(`${JSON.stringify({ ms: times[Math.floor(times.length / 2)], runs: times, cells })}\n`)
