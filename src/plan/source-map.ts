import type { Node, Pair } from 'yaml'
import { isAlias, isMap, isScalar, isSeq, Scalar } from 'yaml'
import type { DataPath } from './data-path.js'
import type { SourcePosition } from './diagnostics.js'
import type { Finding } from './finding.js'
import type { ParsedYaml } from './yaml-read.js'

/** Finds where a value of the plan was written, so a finding can name `line:col`. */
export class SourceMap {
  constructor(private readonly yaml: ParsedYaml) {}

  /** The position a finding points at: the offending key, value, or a character inside a string. */
  positionOf(finding: Finding): SourcePosition {
    if (finding.offset !== undefined) return this.position(finding.offset)
    const path = finding.path ?? []
    if (finding.offsetInValue !== undefined) {
      const offset = this.offsetInString(path, finding.offsetInValue)
      if (offset !== undefined) return this.position(offset)
    }
    return this.position(finding.at === 'key' ? this.keyOffset(path) : this.valueOffset(path))
  }

  /** The source text of a plain scalar (`1.10` stays `1.10`, not `1.1`); undefined for anything else. */
  plainText(path: DataPath): string | undefined {
    const node = this.node(path)
    return isScalar(node) && node.type === Scalar.PLAIN && node.range ? this.yaml.text.slice(node.range[0], node.range[1]) : undefined
  }

  /** Keys of the mapping at `path`, in the order the file writes them. */
  keysAt(path: DataPath): string[] {
    const node = this.node(path)
    return isMap(node) ? node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key)) : []
  }

  /** 1-based line of a value. */
  lineOf(path: DataPath): number {
    return this.position(this.valueOffset(path)).line
  }

  private position(offset: number): SourcePosition {
    return this.yaml.lineCounter.linePos(offset)
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.yaml.doc) : node
  }

  /** The node at `path`, through aliases; undefined where the path leaves the document. */
  node(path: DataPath): Node | undefined {
    let here = this.resolve(this.yaml.doc.contents)
    for (const part of path) {
      if (isMap(here)) here = this.resolve(this.pair(here.items, part)?.value)
      else if (isSeq(here) && typeof part === 'number') here = this.resolve(here.items[part])
      else return undefined
    }
    return (here ?? undefined) as Node | undefined
  }

  private pair(items: Pair[], key: string | number): Pair | undefined {
    return items.find((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key) === String(key))
  }

  /** The key of the value at `path`: a mapping key, a list item itself, or the top of the document. */
  private keyOffset(path: DataPath): number {
    if (path.length === 0) return this.yaml.doc.contents?.range?.[0] ?? 0
    const parent = this.node(path.slice(0, -1))
    const last = path[path.length - 1]!
    if (isMap(parent)) {
      const key = this.pair(parent.items, last)?.key as Node | undefined
      if (key?.range) return key.range[0]
    }
    if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last] as Node | undefined
      if (item?.range) return item.range[0]
    }
    return this.keyOffset(path.slice(0, -1))
  }

  /** The value at `path`; its key when the value is empty (`target:` with nothing after it). */
  private valueOffset(path: DataPath): number {
    const node = this.node(path)
    if (!node?.range) return this.keyOffset(path)
    const empty = isScalar(node) && node.value === null && node.range[0] === node.range[1]
    return empty ? this.keyOffset(path) : node.range[0]
  }

  /**
   * The source offset of character `index` of the string at `path`, when the scalar maps
   * one to one onto its source: plain and quoted scalars without escapes on one line, and
   * `|` block literals. Undefined otherwise (the caller falls back to the value's start).
   */
  private offsetInString(path: DataPath, index: number): number | undefined {
    const node = this.node(path)
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined
    const value = node.value
    const text = this.yaml.text
    const expect = value.slice(index, index + 1)
    const check = (offset: number) => (text.slice(offset, offset + expect.length) === expect ? offset : undefined)
    const [start, end] = node.range
    if (node.type === Scalar.PLAIN && !value.includes('\n')) return check(start + index)
    if ((node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE) && text.slice(start + 1, end - 1) === value) return check(start + 1 + index)
    if (node.type === Scalar.BLOCK_LITERAL) return this.offsetInBlock(start, value, index, check)
    return undefined
  }

  private offsetInBlock(start: number, value: string, index: number, check: (offset: number) => number | undefined): number | undefined {
    const text = this.yaml.text
    const before = value.slice(0, index)
    const lineInValue = before.split('\n').length - 1
    const column = index - (before.lastIndexOf('\n') + 1)
    let lineStart = text.indexOf('\n', start) + 1
    if (lineStart === 0) return undefined
    const indent = /^ */.exec(text.slice(lineStart))![0].length
    for (let line = 0; line < lineInValue; line++) {
      lineStart = text.indexOf('\n', lineStart) + 1
      if (lineStart === 0) return undefined
    }
    return check(lineStart + indent + column)
  }
}
