import os from 'node:os'

/** What the figures were measured on. */
export function machineInfo() {
  const cpus = os.cpus()
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  }
}
