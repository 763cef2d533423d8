import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { GatheringSink } from '../../src/cli/gathering-sink.js'
import { transpileForNode } from '../state/transpile-for-node.js'

afterEach(() => {
  vi.useRealTimers()
})

function sinkWithWrites(): { sink: GatheringSink; writes: string[] } {
  const writes: string[] = []
  return { sink: new GatheringSink((text) => writes.push(text)), writes }
}

describe('a gathering sink', () => {
  it('sends the lines written within a tenth of a second in one write, in order', () => {
    vi.useFakeTimers()
    const { sink, writes } = sinkWithWrites()
    sink.write('a\n')
    sink.write('b\n')
    expect(writes).toEqual([])
    vi.advanceTimersByTime(100)
    expect(writes).toEqual(['a\nb\n'])
    sink.write('c\n')
    vi.advanceTimersByTime(99)
    expect(writes).toEqual(['a\nb\n'])
    vi.advanceTimersByTime(1)
    expect(writes).toEqual(['a\nb\n', 'c\n'])
    sink.close()
  })

  it('sends what waits at once when flushed or closed, never twice', () => {
    vi.useFakeTimers()
    const { sink, writes } = sinkWithWrites()
    sink.write('a\n')
    sink.flush()
    expect(writes).toEqual(['a\n'])
    sink.write('b\n')
    sink.close()
    expect(writes).toEqual(['a\n', 'b\n'])
    vi.advanceTimersByTime(1_000)
    expect(writes).toEqual(['a\n', 'b\n'])
  })

  it('writes what it holds when the process exits', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bf-sink-'))
    try {
      const module = await transpileForNode('src/cli/gathering-sink.ts', dir)
      const script = `const { GatheringSink } = await import(${JSON.stringify(module)}); const sink = new GatheringSink((text) => process.stdout.write(text)); sink.write('first\\n'); sink.write('last\\n'); process.exit(3)`
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
      expect(child.status).toBe(3)
      expect(child.stdout).toBe('first\nlast\n')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
