// Compiles the Kubernetes test API server (test/support/kube-*.ts) for the bench, which
// runs plain node: into bench/out/, inside the repository so its imports resolve.
import { join } from 'node:path'
import { runNode } from '../lib/child.js'
import { root } from '../lib/paths.js'

export const serverOut = join(root, 'bench', 'out', 'kube-server')

export async function buildKubeServer() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const sources = ['kube-api-server.ts', 'kube-fixtures.ts'].map((file) => join(root, 'test', 'support', file))
  await runNode([tsc, ...sources, '--outDir', serverOut, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--lib', 'es2023', '--types', 'node', '--esModuleInterop', '--skipLibCheck', '--declaration', 'false'])
  return join(serverOut, 'test', 'support')
}
