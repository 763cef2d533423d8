import { once } from 'node:events'

/** Writes to stdout, waiting while a pipe is full (a state of a million steps is hundreds of megabytes), and fails once the reader closed it. */
export class StdoutWriter {
  closed = false
  private failure?: Error
  private readonly onError = (error: NodeJS.ErrnoException): void => {
    this.failure = error
    if (error.code === 'EPIPE') this.closed = true
  }

  constructor() {
    process.stdout.on('error', this.onError)
  }

  async write(chunk: string): Promise<void> {
    if (this.failure) throw this.failure
    if (!process.stdout.write(chunk)) await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'error')])
    if (this.failure) throw this.failure
  }

  detach(): void {
    process.stdout.off('error', this.onError)
  }
}
