// Runs one scenario in a child process: the embedded engine binds one data folder per
// process, and a fresh process gives honest wall time and peak memory.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const TIME = '/usr/bin/time'
const canMeasureRss = existsSync(TIME)

/**
 * Runs `node ARGS…` and resolves with its wall time, peak RSS (MB) and CPU time (user and
 * system seconds; both from `/usr/bin/time -v` when present), exit code and output. `stdout: 'ignore'` sends the output to /dev/null.
 */
export async function runNode(args, { cwd, env, stdout = 'pipe', allowExit = [0] } = {}) {
  const report = join(tmpdir(), `bf-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`)
  const command = canMeasureRss ? TIME : process.execPath
  const argv = canMeasureRss ? ['-v', '-o', report, process.execPath, ...args] : args
  const started = process.hrtime.bigint()
  const child = spawn(command, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk) => (out += chunk))
  child.stderr.on('data', (chunk) => (err += chunk))
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  let peakMb = null
  let cpuSeconds = null
  if (canMeasureRss) {
    const text = await readFile(report, 'utf8').catch(() => '')
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(text)
    if (match) peakMb = Number(match[1]) / 1024
    const user = /User time \(seconds\): ([\d.]+)/.exec(text)
    const system = /System time \(seconds\): ([\d.]+)/.exec(text)
    if (user && system) cpuSeconds = Number(user[1]) + Number(system[1])
    await rm(report, { force: true })
  }
  if (!allowExit.includes(code)) {
    throw new Error(`node ${args.join(' ')} exited with ${code}\n${err.slice(-4000)}`)
  }
  return { seconds, peakMb, cpuSeconds, code, stdout: out, stderr: err }
}

/** Runs a bench script that prints one JSON object as its last line, and parses it; `preload`: node's own flags before the script. */
export async function runJsonScript(script, args = [], { preload = [], ...options } = {}) {
  const run = await runNode([...preload, script, ...args], options)
  const last = run.stdout.trim().split('\n').at(-1) ?? ''
  try {
    return { ...run, json: JSON.parse(last) }
  } catch {
    throw new Error(`${script} printed no JSON result:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`)
  }
}

/**
 * Starts `node SCRIPT ARGS…` as a service: resolves once it printed its first line (one JSON
 * object, e.g. the port it listens on) with that object and `stop()`, which ends it. Its
 * stderr passes through.
 */
export async function startJsonService(script, args = [], { cwd, env } = {}) {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const ended = new Promise((resolve) => child.once('close', resolve))
  const endedEarly = ended.then((code) => {
    throw new Error(`${script} ended (${code}) before it was ready`)
  })
  // Once the service is ready, its end (at stop) is no failure.
  endedEarly.catch(() => {})
  const [line] = await Promise.race([
    (async () => {
      for await (const text of createInterface({ input: child.stdout })) return [text]
      return ['']
    })(),
    endedEarly,
  ])
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await ended
  }
  return { json: JSON.parse(line), stop }
}
