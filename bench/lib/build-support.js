// Compiles test servers (test/support/*.ts) for the bench, which runs plain node: into
// bench/out/NAME/, inside the repository so their imports resolve.
import { join } from 'node:path'
import { runNode } from './child.js'
import { root } from './paths.js'

/** Compiles `files` of test/support (and what they import) and returns the folder of their compiled copies. */
export async function buildTestSupport(name, files) {
  const out = join(root, 'bench', 'out', name)
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const sources = files.map((file) => join(root, 'test', 'support', file))
  await runNode([tsc, ...sources, '--outDir', out, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--lib', 'es2023', '--types', 'node', '--esModuleInterop', '--skipLibCheck', '--declaration', 'false'])
  return join(out, 'test', 'support')
}
