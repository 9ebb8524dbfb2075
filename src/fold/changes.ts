/** One leaf field an event changed. `before`/`after` are undefined when the field did not exist. */
export interface FieldChange {
  path: string
  before?: unknown
  after?: unknown
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)
  if (parent === '') return safe === key ? key : `[${safe}]`
  return safe === key ? `${parent}.${key}` : `${parent}[${safe}]`
}

/**
 * Leaf fields of a value: scalars, and empty objects/arrays (so "became {}" is visible).
 * A non-object state is one leaf at path "".
 */
export function leaves(value: unknown, path = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0 && path !== '') out.set(path, [])
    value.forEach((item, i) => leaves(item, joinPath(path, i), out))
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value)
    if (keys.length === 0 && path !== '') out.set(path, {})
    for (const key of keys) leaves(value[key], joinPath(path, key), out)
  } else if (value !== undefined) {
    out.set(path, value)
  }
  return out
}

const sameLeaf = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b)) || (Number.isNaN(a) && Number.isNaN(b))

/** The leaf fields that differ between two states, in the order they appear. */
export function leafChanges(before: unknown, after: unknown): FieldChange[] {
  const a = leaves(before)
  const b = leaves(after)
  const changes: FieldChange[] = []
  for (const [path, value] of b) {
    if (!a.has(path)) changes.push({ path, after: value })
    else if (!sameLeaf(a.get(path), value)) changes.push({ path, before: a.get(path), after: value })
  }
  for (const [path, value] of a) if (!b.has(path)) changes.push({ path, before: value })
  return changes
}
