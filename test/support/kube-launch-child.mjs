// Runs Jobs through bf's Kubernetes launcher (from dist/) in a process of its own, so a
// test can SIGKILL it while they run: each unit's recorded outputs are appended to
// RECORDS_FILE as one JSON line {index, outputs}, as the state journal would keep them.
// Usage: node kube-launch-child.mjs KUBECONFIG UNITS RECORDS_FILE
import { appendFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const [kubeconfig, unitsText, recordsFile] = process.argv.slice(2)
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const { KubernetesLauncher } = await import(join(root, 'dist', 'launchers', 'kubernetes.js'))
const { unitRequest } = await import(join(root, 'test', 'support', 'kube-units.mjs'))

const launcher = new KubernetesLauncher()
const runs = Array.from({ length: Number(unitsText) }, (_, index) =>
  launcher.run(unitRequest(kubeconfig, index), {
    record: async (outputs) => appendFileSync(recordsFile, `${JSON.stringify({ index, outputs })}\n`),
    note: () => {},
  }),
)
await Promise.all(runs)
