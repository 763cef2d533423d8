/** Whether a process with this pid (or, for a negative pid, a process group) exists: signal 0 reaches it, or it is there but not ours to signal. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
