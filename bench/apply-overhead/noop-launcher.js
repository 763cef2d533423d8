// A launcher that runs nothing, for the benchmark only: what is left of an apply is bf.

/** Implements `src/launchers/launcher.ts`; every job succeeds at once. */
export class NoopLauncher {
  constructor(kind) {
    this.kind = kind
    this.onFirstStop = 'finish'
  }

  async preflight() {
    return []
  }

  async describe() {
    return ''
  }

  async run() {
    return { ok: true, outputs: {} }
  }

  async close() {}
}
