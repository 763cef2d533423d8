import path from 'node:path'
import { FileStateStore } from '../../src/state/file-store.js'
import { describeStateStoreConformance } from './conformance.js'
import { tempDirs } from './temp-dirs.js'

const tempDir = tempDirs()

describeStateStoreConformance('FileStateStore', async () => {
  // A directory that does not exist yet: the store creates it on first use.
  const dir = path.join(await tempDir(), 'state')
  return { open: async () => new FileStateStore(dir, 'relabel-2026') }
})
