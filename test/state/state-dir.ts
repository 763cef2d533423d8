import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { FileStateStore } from '../../src/state/file-store.js'
import type { StepEvent } from '../../src/state/model.js'
import { stepEvent } from './conformance.js'

export const PLAN = 'relabel-2026'
export const LOCK = { operation: 'apply', timeoutMs: 0 }

/** A store on `dir` holding the lock, with `count` events appended (`u/0` … started then succeeded). */
export async function writtenStore(dir: string, count: number): Promise<FileStateStore> {
  const store = new FileStateStore(dir, PLAN)
  await store.lock(LOCK)
  for (let i = 0; i < count; i++) await store.append(eventNumber(i))
  return store
}

export function eventNumber(i: number): StepEvent {
  return stepEvent(i % 2 === 0 ? 'started' : 'succeeded', `u/${Math.floor(i / 2)}`, { outputs: { n: i } })
}

export function readText(dir: string, name: string): Promise<string> {
  return readFile(path.join(dir, name), 'utf8')
}

export function writeText(dir: string, name: string, text: string): Promise<void> {
  return writeFile(path.join(dir, name), text)
}
