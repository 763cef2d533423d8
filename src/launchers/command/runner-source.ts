/**
 * The program of a command runner, run as `node -e RUNNER_SOURCE bf-command-runner`.
 *
 * bf starts it detached (its own session and process group) with stdout and stderr on
 * the step's log file, records its pid, and only then writes the job to its stdin as
 * JSON `{ argv, env, exitFile }`. The runner starts the command only once stdin ends
 * with a complete job, so a bf that dies before recording the runner leaves nothing
 * running. When the command ends, the runner writes `{ code, signal, finishedAt }` (and
 * `error` when it could not start) to `exitFile` atomically, so a later bf can adopt the
 * outcome without running the command again.
 *
 * The runner ignores SIGTERM, SIGINT and SIGHUP: a signal sent to the process group
 * reaches the command, and the runner stays to record how it ended.
 */
export const RUNNER_SOURCE = String.raw`
'use strict'
const { spawn } = require('node:child_process')
const fs = require('node:fs')

for (const name of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(name, () => {})

function writeAtomically(file, text) {
  const temporary = file + '.tmp'
  const fd = fs.openSync(temporary, 'w')
  fs.writeSync(fd, text)
  fs.fsyncSync(fd)
  fs.closeSync(fd)
  fs.renameSync(temporary, file)
}

function run(job) {
  let finished = false
  const finish = (status) => {
    if (finished) return
    finished = true
    writeAtomically(job.exitFile, JSON.stringify({ ...status, finishedAt: new Date().toISOString() }))
    process.exit(0)
  }
  const child = spawn(job.argv[0], job.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...job.env } })
  child.on('error', (error) => {
    if (child.pid !== undefined) return
    process.stderr.write('[bf] could not start ' + job.argv[0] + ': ' + error.message + '\n')
    finish({ code: 127, signal: null, error: error.message })
  })
  child.on('exit', (code, signal) => finish({ code, signal }))
}

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('error', () => {})
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', () => {
  let job
  try { job = JSON.parse(input) } catch { process.exit(0) }
  if (!job || !Array.isArray(job.argv) || job.argv.length === 0 || typeof job.exitFile !== 'string') process.exit(0)
  run(job)
})
`
