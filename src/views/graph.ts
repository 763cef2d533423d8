import type { PlannedStep } from '../engine/plan-model.js'

/** Every address in the graph, steps first in order, then dependencies outside the list. */
function nodeAddresses(steps: PlannedStep[]): string[] {
  const addresses = new Set(steps.map((step) => step.address))
  for (const step of steps) for (const dependency of step.dependsOn) addresses.add(dependency)
  return [...addresses]
}

// Mermaid reads `#name;` entities inside quoted labels; quotes, angle brackets and
// backticks would otherwise end the label or turn it into markup.
const MERMAID_ENTITIES: Record<string, string> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;' }

function mermaidLabel(address: string): string {
  return address.replace(/[#"<>&`]/g, (c) => MERMAID_ENTITIES[c] ?? c).replace(/[\r\n\t]/g, ' ')
}

/**
 * The step graph as a Mermaid `flowchart TD`: one node per step (ids `s0`, `s1`, …,
 * labelled with the address), one edge from each dependency to the step that waits on it.
 */
export function renderGraphMermaid(steps: PlannedStep[]): string {
  const addresses = nodeAddresses(steps)
  const ids = new Map(addresses.map((address, index) => [address, `s${index}`]))
  const lines = ['flowchart TD']
  for (const address of addresses) lines.push(`  ${ids.get(address)}["${mermaidLabel(address)}"]`)
  for (const step of steps) {
    for (const dependency of step.dependsOn) lines.push(`  ${ids.get(dependency)} --> ${ids.get(step.address)}`)
  }
  return `${lines.join('\n')}\n`
}

function dotString(address: string): string {
  return `"${address.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`
}

/** The step graph in Graphviz DOT: addresses are the quoted node ids, edges run from dependency to dependent. */
export function renderGraphDot(steps: PlannedStep[]): string {
  const lines = ['digraph bf {', '  rankdir=TB;', '  node [shape=box];']
  for (const address of nodeAddresses(steps)) lines.push(`  ${dotString(address)};`)
  for (const step of steps) {
    for (const dependency of step.dependsOn) lines.push(`  ${dotString(dependency)} -> ${dotString(step.address)};`)
  }
  lines.push('}')
  return `${lines.join('\n')}\n`
}
