import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The embedded engine binds one data directory per process: each test file gets its own process.
    pool: 'forks',
    // Most test time waits on child bf processes and the engine, not on this CPU: two files at
    // once finish the suite far sooner than vitest's default of one worker on a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
