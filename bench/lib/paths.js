// Where the bench finds bf and keeps its scratch files.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const benchDir = join(root, 'bench')
export const bfBin = join(root, 'bin', 'run.js')

/** A module of the compiled bf (`npm run build` first). */
export function dist(path) {
  return import(join(root, 'dist', path))
}
