import Database from 'better-sqlite3'
import { UserError } from '../errors.js'
import type { StreamState } from '../fold/replay.js'
import { quoteIdent } from '../sources/sqlite/layout.js'
import type { SqliteTableRef } from './sqlite-target.js'

const RESERVED = new Set(['key', 'version', 'state'])

type ColumnType = 'INTEGER' | 'REAL' | 'TEXT'

function scalarType(value: unknown): ColumnType | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? 'INTEGER' : 'REAL'
  if (typeof value === 'boolean' || typeof value === 'bigint') return 'INTEGER'
  if (typeof value === 'string') return 'TEXT'
  return undefined
}

/** Top-level scalar fields across all states become columns; the widest type seen wins. */
function scalarColumns(states: Map<string, StreamState>): Map<string, ColumnType> {
  const columns = new Map<string, ColumnType>()
  for (const { state } of states.values()) {
    if (state === null || typeof state !== 'object' || Array.isArray(state)) continue
    for (const [field, value] of Object.entries(state)) {
      if (RESERVED.has(field)) continue
      const type = scalarType(value)
      if (type === undefined) continue
      const seen = columns.get(field)
      if (seen === undefined || seen === type) columns.set(field, type)
      else columns.set(field, seen === 'TEXT' || type === 'TEXT' ? 'TEXT' : 'REAL')
    }
  }
  return columns
}

const toSql = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value)

/**
 * Writes a fresh read model: one row per stream with key, version, the state as JSON, and
 * each top-level scalar field as its own column, so it can be queried and diffed.
 */
export function writeReadModel(target: SqliteTableRef, states: Map<string, StreamState>, options: { replace?: boolean } = {}): { rows: number; columns: string[] } {
  const db = new Database(target.file)
  try {
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(target.table) !== undefined
    if (exists && options.replace !== true) throw new UserError(`${target.file}: table ${target.table} exists; use --force to replace it`)
    const columns = scalarColumns(states)
    const names = [...columns.keys()]
    const table = quoteIdent(target.table)
    db.transaction(() => {
      if (exists) db.exec(`DROP TABLE ${table}`)
      const extra = names.map((n) => `, ${quoteIdent(n)} ${columns.get(n)}`).join('')
      db.exec(`CREATE TABLE ${table} (key TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL${extra})`)
      const placeholders = ['?', '?', '?', ...names.map(() => '?')].join(', ')
      const insert = db.prepare(`INSERT INTO ${table} (key, version, state${names.map((n) => `, ${quoteIdent(n)}`).join('')}) VALUES (${placeholders})`)
      for (const [key, entry] of states) {
        const state = entry.state as Record<string, unknown> | null
        const values = names.map((n) => (state !== null && typeof state === 'object' ? toSql(scalarType(state[n]) === undefined ? null : state[n]) : null))
        insert.run(key, entry.version, JSON.stringify(entry.state) ?? 'null', ...values)
      }
    })()
    return { rows: states.size, columns: ['key', 'version', 'state', ...names] }
  } finally {
    db.close()
  }
}
