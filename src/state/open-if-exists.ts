import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'

/** `file` opened for reading, or undefined when there is no such file. */
export async function openIfExists(file: string): Promise<FileHandle | undefined> {
  try {
    return await open(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
