/** The subset of JSON Schema 2020-12 the plan schema uses. */
export interface JsonSchema {
  $schema?: string
  $id?: string
  $ref?: string
  $defs?: Record<string, JsonSchema>
  title?: string
  description?: string
  default?: unknown
  type?: JsonType | JsonType[]
  const?: unknown
  enum?: unknown[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  propertyNames?: JsonSchema
  minProperties?: number
  maxProperties?: number
  items?: JsonSchema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  pattern?: string
  minLength?: number
  minimum?: number
  exclusiveMinimum?: number
  maximum?: number
  oneOf?: JsonSchema[]
  anyOf?: JsonSchema[]
  allOf?: JsonSchema[]
  not?: JsonSchema
  if?: JsonSchema
  then?: JsonSchema
  else?: JsonSchema
}

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'

/**
 * The schema with every local `$ref` replaced by the definition it names (siblings of
 * `$ref` win), and `$defs` dropped. Validation errors then carry schema paths that walk
 * straight down from the top, which is how they are traced back to branches and titles.
 */
export function inlineRefs(schema: JsonSchema): JsonSchema {
  const defs = schema.$defs ?? {}
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline)
    if (node === null || typeof node !== 'object') return node
    const { $ref, ...rest } = node as JsonSchema
    let base: JsonSchema = {}
    if ($ref !== undefined) {
      const name = $ref.replace(/^#\/\$defs\//, '')
      const def = defs[name]
      if (!def || name === $ref) throw new Error(`plan schema: cannot inline ${$ref}`)
      base = inline(def) as JsonSchema
    }
    const own = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, inline(value)]))
    return { ...base, ...own }
  }
  const { $defs: _defs, ...top } = schema
  return inline(top) as JsonSchema
}

/** The sub-schema at an ajv schema path such as `#/properties/job/allOf/0/then`. */
export function schemaAt(root: JsonSchema, schemaPath: string): JsonSchema | undefined {
  let here: unknown = root
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (here === null || typeof here !== 'object') return undefined
    here = (here as Record<string, unknown>)[key]
  }
  return here !== null && typeof here === 'object' ? (here as JsonSchema) : undefined
}

const TYPE_WORDS: Record<JsonType, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty',
}

/** `column name` → `a column name`. */
function withArticle(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`
}

/** `column name` → `column names`. */
export function plural(noun: string): string {
  if (/(s|x|ch|sh)$/.test(noun)) return `${noun}es`
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`
  return `${noun}s`
}

/** `a`, `a or b`, `a, b or c`. */
export function joinOr(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`
}

/** The noun for one item of a list (`column name`, `string`). */
function itemNoun(schema: JsonSchema): string {
  if (schema.title) return schema.title
  const type = Array.isArray(schema.type) ? undefined : schema.type
  if (type === 'array') return 'list'
  if (type === 'object') return 'mapping'
  return type === 'integer' ? 'whole number' : (type ?? 'value')
}

/** What a value must be, in words: `a list of column names`, `"mutation" or "lightweight"`. */
export function describeSchema(schema: JsonSchema): string {
  if (schema.title) return withArticle(schema.title)
  if ('const' in schema) return JSON.stringify(schema.const)
  if (schema.enum) return joinOr(schema.enum.map((value) => JSON.stringify(value)))
  const branches = schema.oneOf ?? schema.anyOf
  if (branches && !schema.type) return joinOr(branches.map(describeSchema))
  if (Array.isArray(schema.type)) return `a ${joinOr(schema.type.map((type) => (type === 'integer' ? 'whole number' : type)))}`
  if (schema.type === 'array' && schema.items) return `a list of ${plural(itemNoun(schema.items))}`
  return schema.type ? TYPE_WORDS[schema.type] : 'a value'
}
