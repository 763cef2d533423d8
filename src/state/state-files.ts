import path from 'node:path'

/** The files of one plan's state in its directory. */
export interface StateFiles {
  dir: string
  /** Every step's record as of `serial`; replaced atomically by compaction. */
  snapshot: string
  /** The snapshot before the last compaction. */
  snapshotBackup: string
  /** One event per line, appended since the snapshot. */
  journal: string
  /** The journal the last compaction folded into the snapshot (pairs with `snapshotBackup`). */
  journalBackup: string
  lock: string
  /** A pause of the plan's applies (`bf pause`); absent when none. */
  pause: string
}

export function stateFiles(dir: string): StateFiles {
  return {
    dir,
    snapshot: path.join(dir, 'snapshot.json'),
    snapshotBackup: path.join(dir, 'snapshot.json.bak'),
    journal: path.join(dir, 'journal.jsonl'),
    journalBackup: path.join(dir, 'journal.jsonl.bak'),
    lock: path.join(dir, 'lock.json'),
    pause: path.join(dir, 'pause.json'),
  }
}
