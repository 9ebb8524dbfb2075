import { UserError } from '../errors.js'

/** What a projection column is compared with: a path into the state ([] = the whole state), or the stream's version or time. */
export type ColumnTarget =
  | { kind: 'state'; path: string[] }
  | { kind: 'version' }
  | { kind: 'time' }

export interface ComparedColumn {
  column: string
  /** Index of the column in the table's row. */
  index: number
  target: ColumnTarget
}

export interface ColumnPlan {
  keyIndex: number
  compared: ComparedColumn[]
  /** Columns with no counterpart in the replay: listed, not compared. */
  uncompared: string[]
  ignored: string[]
}

/** Columns that hold the stream version when the state has no field of that name. */
const VERSION_COLUMNS = ['version', 'stream_version', 'stream_position', 'aggregate_version']
/** `replay --out` writes the whole state as JSON in this column. */
const WHOLE_STATE_COLUMNS = ['state']

export const MAP_FORMS = 'expected COLUMN=state.path (e.g. balance=state.totals.balance), COLUMN=state (the whole state), COLUMN=@version or COLUMN=@time'

/** A path like `a.b[0].c` as its parts. */
export function parsePath(text: string): string[] {
  return text.replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '')
}

export function parseTarget(text: string, flag: string): ColumnTarget {
  const value = text.trim()
  if (value === '@version') return { kind: 'version' }
  if (value === '@time') return { kind: 'time' }
  if (value === 'state') return { kind: 'state', path: [] }
  const path = parsePath(value.startsWith('state.') ? value.slice('state.'.length) : value)
  if (path.length === 0 || value.startsWith('@')) throw new UserError(`${flag}: "${text}" is not a target; ${MAP_FORMS}`)
  return { kind: 'state', path }
}

/** --map COLUMN=TARGET values, validated. */
export function parseMapFlags(values: string[] = []): Map<string, ColumnTarget> {
  const map = new Map<string, ColumnTarget>()
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0) throw new UserError(`--map "${value}": ${MAP_FORMS}`)
    map.set(value.slice(0, eq).trim(), parseTarget(value.slice(eq + 1), `--map ${value}`))
  }
  return map
}

export function describeTarget(target: ColumnTarget): string {
  if (target.kind === 'version') return 'stream version'
  if (target.kind === 'time') return 'time of the last event'
  return target.path.length === 0 ? 'whole state' : `state.${target.path.join('.')}`
}

const normalizeName = (name: string) => name.toLowerCase().replace(/[_\-\s]/g, '')

/**
 * Which column compares with what: --map first, then what a table `replay --out` wrote says of
 * its columns (`written`), then a state field of the same name, then the same name across
 * snake_case and camelCase, then `version` (the stream version) and `state` (the whole state).
 * The rest have no counterpart.
 */
export function planColumns(
  columns: string[],
  options: { key: string; stateFields: Set<string>; map?: Map<string, ColumnTarget>; written?: Map<string, ColumnTarget>; ignore?: string[]; table: string },
): ColumnPlan {
  const { key, stateFields, table } = options
  const map = options.map ?? new Map<string, ColumnTarget>()
  const ignore = new Set(options.ignore ?? [])
  const known = columns.join(', ')
  for (const column of [...map.keys(), ...ignore]) {
    if (!columns.includes(column)) throw new UserError(`${table}: no column "${column}" (columns: ${known})`)
  }
  if (map.has(key)) throw new UserError(`--map ${key}=...: ${key} is the --key column; it is matched with the stream id, not compared`)

  const byNormal = new Map<string, string | null>()
  for (const field of stateFields) {
    const normal = normalizeName(field)
    byNormal.set(normal, byNormal.has(normal) ? null : field)
  }
  const plan: ColumnPlan = { keyIndex: columns.indexOf(key), compared: [], uncompared: [], ignored: [] }
  columns.forEach((column, index) => {
    if (column === key) return
    if (ignore.has(column)) {
      plan.ignored.push(column)
      return
    }
    let target = map.get(column) ?? options.written?.get(column)
    if (target === undefined && stateFields.has(column)) target = { kind: 'state', path: [column] }
    if (target === undefined) {
      const field = byNormal.get(normalizeName(column))
      if (field !== undefined && field !== null) target = { kind: 'state', path: [field] }
    }
    if (target === undefined && VERSION_COLUMNS.includes(column.toLowerCase())) target = { kind: 'version' }
    if (target === undefined && WHOLE_STATE_COLUMNS.includes(column.toLowerCase())) target = { kind: 'state', path: [] }
    if (target === undefined) plan.uncompared.push(column)
    else plan.compared.push({ column, index, target })
  })
  return plan
}

/** Top-level fields across all states (a field present in any state has a counterpart). */
export function stateFieldsOf(states: Iterable<{ state: unknown }>): Set<string> {
  const fields = new Set<string>()
  for (const { state } of states) {
    if (state === null || typeof state !== 'object' || Array.isArray(state)) continue
    for (const key in state) fields.add(key)
  }
  return fields
}
