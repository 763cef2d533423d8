/** Where a value sits in the plan document: keys of mappings and indexes of lists, from the top. */
export type DataPath = readonly (string | number)[]

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/

/** `['clusters', 'us-east-1', 'customers', 0]` → `clusters.us-east-1.customers[0]`. */
export function formatPath(path: DataPath): string {
  let text = ''
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`
    else if (PLAIN_KEY.test(part)) text += text ? `.${part}` : part
    else text += `[${JSON.stringify(part)}]`
  }
  return text
}

/** An ajv instance path (a JSON pointer) as a data path: a part is a number where `root` holds a list there. */
export function pathFromPointer(pointer: string, root: unknown): DataPath {
  if (pointer === '') return []
  const path: (string | number)[] = []
  let here = root
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    const part = Array.isArray(here) && /^\d+$/.test(key) ? Number(key) : key
    path.push(part)
    here = here !== null && typeof here === 'object' ? (here as Record<string, unknown>)[part] : undefined
  }
  return path
}
