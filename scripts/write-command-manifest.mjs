// Writes oclif.manifest.json from the built commands, so that `bf` finds a command without
// loading every command's modules first (without it each start loads all of bf). Run by
// `npm run build`, after the compiler: the manifest always matches dist/.
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Plugin } from '@oclif/core'

const root = fileURLToPath(new URL('..', import.meta.url))
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true })
await plugin.load()
await writeFile(new URL('../oclif.manifest.json', import.meta.url), `${JSON.stringify(plugin.manifest, null, 2)}\n`)
