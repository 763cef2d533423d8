import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Transpiles `entry` (relative to the project root) and every module it imports
 * relatively into `outDir`, so that a plain `node` child process can import it.
 * Returns the file URL of the entry's JavaScript.
 */
export async function transpileForNode(entry: string, outDir: string): Promise<string> {
  await writeFile(path.join(outDir, 'package.json'), '{"type":"module"}\n')
  const pending = [path.join(ROOT, entry)]
  const done = new Set<string>()
  for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
    if (done.has(source)) continue
    done.add(source)
    const text = await readFile(source, 'utf8')
    const { outputText } = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: source,
    })
    const target = path.join(outDir, path.relative(ROOT, source)).replace(/\.ts$/, '.js')
    await mkdir(path.dirname(target), { recursive: true })
    await writeFile(target, outputText)
    for (const [, specifier] of outputText.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(path.resolve(path.dirname(source), `${specifier}.ts`))
    }
  }
  return new URL(`file://${path.join(outDir, entry.replace(/\.ts$/, '.js'))}`).href
}
