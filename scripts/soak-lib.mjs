// The crash-resume soak, shared by scripts/soak.mjs and test/reliability/soak.test.ts.
//
// Each trial copies a seeded embedded-engine data folder, runs `bf apply`, SIGKILLs it at
// a moment drawn from a seeded PRNG, resumes (killing some resumes too) until an apply
// ends on its own, then checks: the table equals an uninterrupted run's, no key is
// duplicated, the state loads (after every kill as well), and no unit's job succeeded
// twice in the state's whole history. Runs the built CLI: `npm run build` first.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(ROOT, 'bin', 'run.js')
const SQL_CHILD = join(ROOT, 'test', 'support', 'chdb-child.mjs')
const PLAN_NAME = 'soak'
const START = '2026-01-01'

/** The quickstart data set (examples/quickstart), and a small one for `npm test`. */
export const SIZES = {
  quickstart: { customers: 3, days: 14, conversationsPerDay: 200 },
  small: { customers: 2, days: 4, conversationsPerDay: 60 },
}

const STEP_KINDS = ['check', 'delete', 'await-mutation', 'job', 'verify']

// A plain MergeTree keeps every row it is given: a job that wrote its unit twice leaves
// each row twice. The deduplication window lets a resent attempt (same token) write nothing.
const PLAIN_TARGET = [
  `CREATE TABLE labels_plain (conversation_id String, customer_id String, profile_id String, agent_user_id String,
     conversation_end_time DateTime, label String, labeled_at DateTime)
   ENGINE = MergeTree PARTITION BY toYYYYMM(conversation_end_time)
   ORDER BY (toStartOfHour(conversation_end_time), agent_user_id, conversation_id, customer_id, profile_id)
   SETTINGS non_replicated_deduplication_window = 1000`,
  'INSERT INTO labels_plain SELECT * FROM conversation_with_labels',
]

// Every column of every row, as a count and an order-independent digest (a sum of row hashes counts a repeated row twice).
const CONTENT = `SELECT count() AS rows,
  toString(sum(cityHash64(conversation_id, customer_id, profile_id, agent_user_id, conversation_end_time, label, labeled_at))) AS digest
  FROM labels_plain`
const DUPLICATES = 'SELECT count() - uniqExact(customer_id, conversation_id) AS d FROM labels_plain'

/** The quickstart's plan (examples/quickstart/plan.yaml) on `labels_plain`, with a deterministic label. */
function planText(customers, days) {
  const end = new Date(Date.parse(`${START}T00:00:00Z`) + days * 86_400_000).toISOString().replace('.000Z', 'Z')
  return `version: 1
name: ${PLAN_NAME}
window: { start: ${START}T00:00:00Z, end: ${end}, batch: 1d }
target: { table: labels_plain, timeColumn: conversation_end_time, customerColumn: customer_id, keyColumns: [conversation_id] }
expected: { table: conversation_d, timeColumn: ended_at, customerColumn: customer_id, keyColumns: [conversation_id] }
delete: { mode: mutation, per: customer }
job:
  kind: sql
  sql: |
    INSERT INTO labels_plain
    SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at,
           if(cityHash64(conversation_id, agent_user_id) % 2 = 0, 'assisted', 'unassisted'), toDateTime('2026-06-01 00:00:00')
    FROM conversation_d
    WHERE customer_id = {customer:String} AND ended_at >= {start:DateTime} AND ended_at < {end:DateTime}
  timeout: 10m
  retries: 1
  concurrency: 2
verify: { duplicates: true, ratio: { min: 0.99, max: 1.01 } }
rollout: { canary: [${customers[0]}] }
clusters:
  local:
    clickhouse: { embedded: ./data }
    customers: [${customers.join(', ')}]
`
}

/** mulberry32: a small PRNG, the same moments for the same seed. */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function sql(dataDir, statements) {
  const out = execFileSync(process.execPath, [SQL_CHILD, dataDir, JSON.stringify(statements)], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * 1024 * 1024 })
  return out.trim().split('\n').map((line) => JSON.parse(line))
}

function seedTemplate(dir, size) {
  const data = join(dir, 'data')
  const script = `const { prepareQuickstart } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'quickstart', 'index.js')).href)});
process.stdout.write(JSON.stringify(await prepareQuickstart(${JSON.stringify(data)}, ${JSON.stringify(size)})))`
  const made = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }))
  sql(data, PLAIN_TARGET)
  writeFileSync(join(dir, 'plan.yaml'), planText(made.customers, size.days))
  return { customers: made.customers, units: made.customers.length * size.days, conversations: made.conversations }
}

function stateDir(dir) {
  return join(dir, '.bf', 'state', PLAN_NAME)
}

/** Complete lines of a journal file as `{serial, event}`; a line cut by the kill is not an event yet. */
function journalEntries(file) {
  if (!existsSync(file)) return []
  const lines = readFileSync(file, 'utf8').split('\n')
  lines.pop()
  const entries = []
  for (const line of lines) {
    if (line.trim() === '') continue
    try {
      const { serial, event } = JSON.parse(line)
      entries.push({ serial, event })
    } catch {
      entries.push({ serial: undefined, event: undefined, damaged: line })
    }
  }
  return entries
}

/**
 * The state's whole history, gathered after every run: compaction folds `journal.jsonl`
 * into the snapshot and keeps it only until the next compaction as `journal.jsonl.bak`.
 */
class History {
  constructor(dir) {
    this.dir = stateDir(dir)
    this.events = new Map()
    this.lineage = undefined
    this.problems = []
  }

  get lastSerial() {
    return Math.max(0, ...this.events.keys())
  }

  collect() {
    const snapshot = join(this.dir, 'snapshot.json')
    if (existsSync(snapshot)) {
      try {
        const { lineage } = JSON.parse(readFileSync(snapshot, 'utf8'))
        if (this.lineage !== undefined && lineage !== this.lineage) this.problems.push(`the state's lineage changed from ${this.lineage} to ${lineage}`)
        this.lineage = lineage
      } catch (error) {
        this.problems.push(`snapshot.json does not parse: ${error.message}`)
      }
    }
    for (const name of ['journal.jsonl.bak', 'journal.jsonl']) {
      for (const entry of journalEntries(join(this.dir, name))) {
        if (entry.damaged !== undefined) {
          this.problems.push(`${name}: a complete line is not JSON: ${entry.damaged.slice(0, 120)}`)
          continue
        }
        const known = this.events.get(entry.serial)
        if (known !== undefined && JSON.stringify(known) !== JSON.stringify(entry.event)) {
          this.problems.push(`journal serial ${entry.serial} was written twice with different events`)
        }
        this.events.set(entry.serial, entry.event)
      }
    }
  }

  /** Kinds of the steps a run left `started` among those it touched: what the kill interrupted. */
  inFlightSince(serial) {
    const status = new Map()
    const touched = new Set()
    for (const [at, event] of [...this.events].sort((a, b) => a[0] - b[0])) {
      if (event.type === 'forgotten') continue
      if (event.type !== 'progress') status.set(event.address, { kind: event.kind, type: event.type })
      if (at > serial) touched.add(event.address)
    }
    const kinds = new Set()
    for (const address of touched) {
      const last = status.get(address)
      if (last?.type === 'started') kinds.add(last.kind)
    }
    return { kinds: [...kinds], wrote: touched.size > 0 }
  }

  /** Job steps that succeeded more than once, over all attempts. */
  jobsSucceededTwice() {
    const succeeded = new Map()
    for (const event of this.events.values()) {
      if (event.type === 'succeeded' && event.kind === 'job') succeeded.set(event.address, (succeeded.get(event.address) ?? 0) + 1)
    }
    return [...succeeded].filter(([, count]) => count > 1).map(([address, count]) => `${address} succeeded ${count} times`)
  }
}

let storeModule
/** Loads the state the way bf does; returns its steps, or the error bf would print. */
async function loadState(dir) {
  storeModule ??= await import(pathToFileURL(join(ROOT, 'dist', 'state', 'file-store.js')).href)
  const store = new storeModule.FileStateStore(stateDir(dir), PLAN_NAME)
  try {
    const snapshot = await store.read()
    return { steps: [...snapshot.steps.values()] }
  } catch (error) {
    return { error: error.message }
  } finally {
    await store.close()
  }
}

function completeLines(file) {
  try {
    const text = readFileSync(file, 'utf8')
    let count = 0
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++
    return count
  } catch {
    return 0
  }
}

/**
 * Runs `bf apply` in `dir` and, when `kill` says so, SIGKILLs it: `atMs` after it started,
 * or `delayMs` after its `afterLines`-th journal line. Also tells when the run wrote its
 * first journal line (where startup and planning end).
 */
function apply(dir, kill) {
  return new Promise((resolve) => {
    const journal = join(stateDir(dir), 'journal.jsonl')
    const linesBefore = completeLines(journal)
    const child = spawn(process.execPath, [BIN, 'apply', 'plan.yaml', '--auto-approve', '--no-color'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const started = Date.now()
    let output = ''
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-6_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let firstEventMs
    let timer = kill?.atMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), kill.atMs)
    const watch = setInterval(() => {
      const written = completeLines(journal) - linesBefore
      if (written > 0) firstEventMs ??= Date.now() - started
      if (kill?.afterLines !== undefined && timer === undefined && written >= kill.afterLines) {
        timer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs)
      }
    }, 5)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      clearInterval(watch)
      resolve({ code, killed: signal === 'SIGKILL', output, ms: Date.now() - started, firstEventMs })
    })
  })
}

/** Where to kill a run, from the uninterrupted run's timing and journal length. */
function killMoment(random, reference) {
  if (random() < 1 / 6) return { atMs: Math.round(random() * (reference.firstEventMs ?? reference.ms)) }
  return { afterLines: 1 + Math.floor(random() * Math.max(1, reference.lines - 1)), delayMs: Math.floor(random() * 40) }
}

function describeMoment(kill) {
  return kill.atMs !== undefined ? `at ${kill.atMs} ms` : `${kill.delayMs} ms after journal line ${kill.afterLines}`
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return 0
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Runs one trial in `dir` (a copy of the template); the figures it adds and the failed checks. */
async function runTrial(dir, options) {
  const { seed, reference, units, maxKills } = options
  const random = prng(seed)
  const history = new History(dir)
  const failures = []
  const kills = []
  let runs = 0
  let endedBeforeKill = 0
  let statesLoadedAfterKill = 0
  for (;;) {
    runs++
    // The first run is always killed; each resume is killed with even odds, up to maxKills.
    // One kill in six falls in startup and planning; the others a moment after a random journal line.
    const kill = kills.length < maxKills && (runs === 1 || random() < 0.5) ? killMoment(random, reference.run) : undefined
    const before = history.lastSerial
    const run = await apply(dir, kill)
    history.collect()
    if (run.killed) {
      const { kinds, wrote } = history.inFlightSince(before)
      kills.push({ moment: describeMoment(kill), kinds: kinds.length > 0 ? kinds : [wrote ? 'between steps' : 'planning'] })
      const loaded = await loadState(dir)
      if (loaded.error) failures.push(`the state did not load after the kill ${describeMoment(kill)}: ${loaded.error}`)
      else statesLoadedAfterKill++
      continue
    }
    if (kill) endedBeforeKill++
    if (run.code !== 0) failures.push(`apply run ${runs} exited with ${run.code}:\n${run.output}`)
    break
  }

  const [content, duplicates] = sql(join(dir, 'data'), [CONTENT, DUPLICATES])
  const [got, want] = [content[0], reference.content[0]]
  if (got?.digest !== want?.digest || Number(got?.rows) !== Number(want?.rows)) {
    failures.push(`table content differs from the uninterrupted run's: ${got?.rows} rows (digest ${got?.digest}), not ${want?.rows} (digest ${want?.digest})`)
  }
  const duplicated = Number(duplicates[0]?.d)
  if (duplicated !== 0) failures.push(`${duplicated} duplicate key(s) in labels_plain`)
  const loaded = await loadState(dir)
  if (loaded.error) failures.push(`the state does not load: ${loaded.error}`)
  else {
    const unfinished = loaded.steps.filter((step) => step.status !== 'succeeded').map((step) => `${step.address} ${step.status}`)
    if (unfinished.length > 0) failures.push(`steps not succeeded in state: ${unfinished.join(', ')}`)
    const jobs = loaded.steps.filter((step) => step.kind === 'job').length
    if (jobs !== units) failures.push(`state records ${jobs} job steps, not ${units}`)
  }
  failures.push(...history.problems, ...history.jobsSucceededTwice())
  return { seed, kills, resumes: runs - 1, endedBeforeKill, statesLoadedAfterKill, failures }
}

/**
 * Runs the soak. `seed` fixes every kill moment: trial i uses seed + i, so one trial
 * replays with `--seed <its seed> --trials 1`.
 */
export async function runSoak({ trials, seed, size = 'quickstart', maxKills = 3, keep = false, log = () => {} }) {
  const dimensions = SIZES[size]
  if (!dimensions) throw new Error(`unknown size ${size} (${Object.keys(SIZES).join(', ')})`)
  if (!existsSync(join(ROOT, 'dist', 'commands', 'apply.js'))) throw new Error('bf is not built: run npm run build first')
  const work = mkdtempSync(join(tmpdir(), 'bf-soak-'))
  const template = join(work, 'template')
  mkdirSync(template)
  const started = Date.now()
  try {
    const { units, conversations } = seedTemplate(template, dimensions)
    const referenceDir = join(work, 'reference')
    cpSync(template, referenceDir, { recursive: true })
    const first = await apply(referenceDir)
    if (first.code !== 0) throw new Error(`the uninterrupted apply failed:\n${first.output}`)
    const [reference, [duplicates]] = sql(join(referenceDir, 'data'), [CONTENT, DUPLICATES])
    if (Number(reference[0]?.rows) !== conversations || Number(duplicates?.d) !== 0) {
      throw new Error(`the uninterrupted apply left ${reference[0]?.rows} rows (${duplicates?.d} duplicated), not one per conversation (${conversations})`)
    }
    // The apply's own compaction moved its journal aside.
    first.lines = completeLines(join(stateDir(referenceDir), 'journal.jsonl.bak'))
    const referenceHistory = new History(referenceDir)
    referenceHistory.collect()
    if (referenceHistory.jobsSucceededTwice().length > 0) throw new Error('the uninterrupted apply ran a job twice')
    log(`uninterrupted apply: ${(first.ms / 1000).toFixed(1)} s, first step at ${((first.firstEventMs ?? 0) / 1000).toFixed(1)} s, ${first.lines} journal lines, ${reference[0]?.rows} rows`)

    const results = []
    for (let trial = 0; trial < trials; trial++) {
      const dir = join(work, `trial-${trial}`)
      cpSync(template, dir, { recursive: true })
      const result = await runTrial(dir, { seed: seed + trial, reference: { run: first, content: reference }, units, maxKills })
      results.push(result)
      const verdict = result.failures.length === 0 ? 'ok' : `FAILED (kept in ${dir})`
      const kills = result.kills.map((kill) => `${kill.moment} [${kill.kinds.join(', ')}]`).join('; ') || 'none (the run ended first)'
      log(`trial ${trial + 1}/${trials} seed ${result.seed}: kills ${kills}; ${result.resumes} resume(s); ${verdict}`)
      if (result.failures.length === 0 && !keep) rmSync(dir, { recursive: true, force: true })
    }
    return summarize({ results, seed, size, dimensions, units, referenceMs: first.ms, elapsedMs: Date.now() - started, work })
  } finally {
    if (!keep) {
      rmSync(template, { recursive: true, force: true })
      rmSync(join(work, 'reference'), { recursive: true, force: true })
      try {
        rmdirSync(work)
      } catch {
        // failed trials stay for inspection
      }
    }
  }
}

function summarize({ results, seed, size, dimensions, units, referenceMs, elapsedMs, work }) {
  const byKind = Object.fromEntries(['planning', ...STEP_KINDS, 'between steps'].map((kind) => [kind, 0]))
  for (const result of results) for (const kill of result.kills) for (const kind of kill.kinds) byKind[kind] = (byKind[kind] ?? 0) + 1
  const resumes = results.map((result) => result.resumes)
  const failed = results.filter((result) => result.failures.length > 0)
  return {
    trials: results.length,
    seed,
    size,
    dimensions,
    units,
    referenceMs,
    elapsedMs,
    kills: results.reduce((sum, result) => sum + result.kills.length, 0),
    killsByKind: byKind,
    endedBeforeKill: results.reduce((sum, result) => sum + result.endedBeforeKill, 0),
    statesLoadedAfterKill: results.reduce((sum, result) => sum + result.statesLoadedAfterKill, 0),
    resumes: { total: resumes.reduce((sum, count) => sum + count, 0), median: median(resumes), max: Math.max(0, ...resumes) },
    passed: results.length - failed.length,
    failures: failed.map((result) => ({ seed: result.seed, failures: result.failures })),
    work,
  }
}

/** The figures as printed by scripts/soak.mjs and quoted in docs/reliability.md. */
export function formatFigures(figures) {
  const { dimensions: d } = figures
  const kinds = Object.entries(figures.killsByKind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ')
  const lines = [
    `bf crash-resume soak: ${figures.trials} trials, seed ${figures.seed}`,
    `data set: ${figures.size} (${d.customers} customers × ${d.days} days × ${d.conversationsPerDay} conversations/day, ${figures.units} units)`,
    `uninterrupted apply: ${(figures.referenceMs / 1000).toFixed(1)} s; soak took ${Math.round(figures.elapsedMs / 1000)} s`,
    `kills (SIGKILL): ${figures.kills}; runs that ended before their kill moment: ${figures.endedBeforeKill}`,
    `kills by step kind running: ${kinds}`,
    `resumes per trial: median ${figures.resumes.median}, max ${figures.resumes.max} (${figures.resumes.total} in all)`,
    `state loaded after every kill: ${figures.statesLoadedAfterKill}/${figures.kills}`,
    `checks passed: ${figures.passed}/${figures.trials} trials (content = uninterrupted run's, 0 duplicate keys, state loads, no job succeeded twice)`,
  ]
  for (const failure of figures.failures) lines.push(`FAILED trial seed ${failure.seed}:`, ...failure.failures.map((text) => `  ${text}`))
  if (figures.failures.length > 0) lines.push(`failed trials are kept in ${figures.work}`)
  return lines.join('\n')
}
