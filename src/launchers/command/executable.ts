import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { delimiter, join, resolve } from 'node:path'

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/**
 * Where `name` resolves the way the command will be started: a name with a `/` as a path
 * (relative to the working folder), any other name through `PATH`. Undefined when no
 * executable file is found.
 */
export async function findExecutable(name: string, pathVariable = process.env.PATH ?? ''): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutableFile(resolve(name))) ? resolve(name) : undefined
  for (const folder of pathVariable.split(delimiter)) {
    if (folder === '') continue
    const candidate = join(folder, name)
    if (await isExecutableFile(candidate)) return candidate
  }
  return undefined
}
