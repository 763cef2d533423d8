import { describe, expect, it } from 'vitest'
import { CommandLauncher } from '../../src/launchers/command.js'
import { LazyLauncher } from '../../src/launchers/lazy-launcher.js'
import type { Launcher } from '../../src/launchers/launcher.js'

describe('LazyLauncher', () => {
  it('loads its launcher on first use, once, and closes only what it loaded', async () => {
    let loads = 0
    const lazy = new LazyLauncher('command', 'finish', async () => {
      loads++
      return new CommandLauncher()
    })
    await lazy.close()
    expect(loads).toBe(0)
    const cluster = { name: 'local', clickhouse: { embedded: './data' }, customers: [] }
    const job = { kind: 'command', command: ['node', '--version'], env: {}, retries: 0, concurrency: 1 } as never
    const [first, second] = await Promise.all([lazy.preflight(cluster as never, job), lazy.preflight(cluster as never, job)])
    expect(first).toEqual(second)
    expect(loads).toBe(1)
    await lazy.close()
  })

  it('answers a server dry run with no findings for a launcher that has none', async () => {
    const lazy = new LazyLauncher('command', 'finish', async () => new CommandLauncher() as Launcher)
    expect(await lazy.serverDryRun({} as never)).toEqual([])
  })
})
