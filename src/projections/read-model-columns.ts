import type { StreamState } from '../fold/replay.js'
import type { ColumnTarget } from './columns.js'
import { sqliteNameKey } from './sqlite-target.js'

export type ColumnType = 'INTEGER' | 'REAL' | 'TEXT'

/** A top-level state field and the column `replay --out` writes it to. */
export interface FieldColumn {
  column: string
  field: string
  type: ColumnType
}

/** Every read model `replay --out` writes starts with these: stream id, stream version, the state as JSON. */
export const FIXED_COLUMNS = ['key', 'version', 'state'] as const
/** SQLite's default SQLITE_MAX_COLUMN; fields beyond it are only in the state column. */
export const MAX_COLUMNS = 2000

export function scalarType(value: unknown): ColumnType | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? 'INTEGER' : 'REAL'
  if (typeof value === 'boolean' || typeof value === 'bigint') return 'INTEGER'
  if (typeof value === 'string') return 'TEXT'
  return undefined
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * The column for a field name: SQLite names cannot hold NUL (it becomes `_`) and are stored as
 * UTF-8 (a lone surrogate becomes U+FFFD); a name already taken, ignoring ASCII case as SQLite
 * does, gets `_2`, `_3`, ... So `Version` (as .NET writes it) becomes `Version_2` beside `version`.
 */
function columnName(field: string, taken: Set<string>): string {
  const base = field.replaceAll('\u0000', '_').replace(LONE_SURROGATE, '\ufffd')
  let name = base
  for (let n = 2; taken.has(sqliteNameKey(name)); n++) name = `${base}_${n}`
  taken.add(sqliteNameKey(name))
  return name
}

/**
 * Top-level scalar fields across all states, in the order they first appear, each with its own
 * column; the widest type seen wins. `left` are fields with no room (only in the state column).
 */
export function fieldColumns(states: Map<string, StreamState>): { columns: FieldColumn[]; left: string[] } {
  const types = new Map<string, ColumnType>()
  for (const { state } of states.values()) {
    if (state === null || typeof state !== 'object' || Array.isArray(state)) continue
    for (const [field, value] of Object.entries(state)) {
      const type = scalarType(value)
      if (type === undefined) continue
      const seen = types.get(field)
      if (seen === undefined || seen === type) types.set(field, type)
      else types.set(field, seen === 'TEXT' || type === 'TEXT' ? 'TEXT' : 'REAL')
    }
  }
  const taken = new Set<string>(FIXED_COLUMNS)
  const fields = [...types.keys()]
  const room = MAX_COLUMNS - FIXED_COLUMNS.length
  const columns = fields.slice(0, room).map((field) => ({ column: columnName(field, taken), field, type: types.get(field)! }))
  return { columns, left: fields.slice(room) }
}

/** Starts the column list of the CREATE TABLE, which SQLite keeps, so that `diff` can map the columns back. */
const NOTE = '-- rewind replay --out; columns named unlike their state field: '

export function schemaNote(columns: FieldColumn[]): string {
  const renamed = Object.fromEntries(columns.filter((c) => c.column !== c.field).map((c) => [c.column, c.field]))
  // JSON escapes line ends, so the note stays one SQL line comment whatever the fields hold.
  return `${NOTE}${JSON.stringify(renamed)}\n`
}

/**
 * What the columns of a table `replay --out` wrote compare with, read from its CREATE TABLE:
 * version is the stream version, state the whole state, a renamed column its field. Undefined
 * for any other table. Field names come after the note, so only the table name could fake it.
 */
export function writtenTargets(createSql: string | undefined): Map<string, ColumnTarget> | undefined {
  const at = createSql?.indexOf(`(${NOTE}`) ?? -1
  if (createSql === undefined || at < 0) return undefined
  const start = at + 1 + NOTE.length
  const end = createSql.indexOf('\n', start)
  let renamed: unknown
  try {
    renamed = JSON.parse(createSql.slice(start, end < 0 ? undefined : end))
  } catch {
    return undefined
  }
  if (renamed === null || typeof renamed !== 'object' || Array.isArray(renamed)) return undefined
  const targets = new Map<string, ColumnTarget>([['version', { kind: 'version' }], ['state', { kind: 'state', path: [] }]])
  for (const [column, field] of Object.entries(renamed)) if (typeof field === 'string') targets.set(column, { kind: 'state', path: [field] })
  return targets
}
