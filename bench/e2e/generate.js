// Child process: makes the quickstart data set in a fresh embedded-engine folder.
// Usage: node bench/e2e/generate.js DATA_DIR CUSTOMERS DAYS PER_DAY
import { dist } from '../lib/paths.js'
import { secondsSince } from '../lib/stats.js'

const [dataDir, customers, days, perDay] = process.argv.slice(2)
const { prepareQuickstart } = await dist('quickstart/index.js')
const started = process.hrtime.bigint()
const made = await prepareQuickstart(dataDir, { customers: Number(customers), days: Number(days), conversationsPerDay: Number(perDay) })
process.stdout.write(`${JSON.stringify({ ...made, seconds: secondsSince(started) })}\n`)
