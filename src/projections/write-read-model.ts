import Database from 'better-sqlite3'
import { lstatSync, rmSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { UserError } from '../errors.js'
import type { StreamState } from '../fold/replay.js'
import { quoteIdent } from '../sources/sqlite/layout.js'
import { FIXED_COLUMNS, fieldColumns, scalarType, schemaNote, type FieldColumn } from './read-model-columns.js'
import type { SqliteTableRef } from './sqlite-target.js'
import type { StoreFiles } from './store-files.js'

export interface WrittenReadModel {
  rows: number
  columns: FieldColumn[]
  /** Scalar fields with no column of their own (SQLite's column limit): only in the state column. */
  left: string[]
}

const toSql = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value)

/** SQLite's and better-sqlite3's messages, as one line that names the file. */
function writeError(error: unknown, target: SqliteTableRef): unknown {
  if (error instanceof UserError) return error
  const message = (error as Error).message
  const code = (error as { code?: unknown }).code
  if (code === 'SQLITE_NOTADB') return new UserError(`${target.file}: not an SQLite database (${message}); --out writes into an SQLite file or creates a new one`)
  if (/directory does not exist/.test(message)) return new UserError(`${target.file}: cannot create it: no directory ${dirname(target.file)}`)
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return new UserError(`${target.file}#${target.table}: cannot write the read model: ${message}`, { cause: error })
  return error
}

/**
 * Writes a fresh read model: one row per stream with key, version, the state as JSON, and each
 * top-level scalar field as its own column (read-model-columns.ts names them), so it can be
 * queried and diffed. Refuses a table that exists unless `replace`, and a file of `notInto`.
 */
export function writeReadModel(target: SqliteTableRef, states: Map<string, StreamState>, options: { replace?: boolean; notInto?: StoreFiles } = {}): WrittenReadModel {
  // lstat: a dangling link is there too (and is not ours to remove).
  const existed = lstatSync(target.file, { throwIfNoEntry: false }) !== undefined
  const stat = statSync(target.file, { throwIfNoEntry: false })
  if (stat?.isDirectory() === true) throw new UserError(`${target.file}: is a directory; --out names an SQLite file (new or existing)`)
  // A device or pipe holds no database, and SQLite would put a -journal next to it (/dev/null-journal).
  if (stat !== undefined && !stat.isFile()) throw new UserError(`${target.file}: not a regular file; --out names an SQLite file (new or existing)`)
  let db: Database.Database | undefined
  let written = false
  try {
    db = new Database(target.file)
    // The check before the replay resolved names as SQLite does; this asks SQLite what it opened.
    const opened = (db.pragma('database_list') as Array<{ name: string; file: string }>).find((d) => d.name === 'main')?.file
    if (opened !== undefined && options.notInto?.holds(opened) === true) {
      throw new UserError(`--out ${target.file}: SQLite opened ${opened}, a file of the source store ${options.notInto.store}; rewind never writes to it. Name another file`)
    }
    // Tables, views and indexes share one namespace, compared ignoring ASCII case (NOCASE does the same).
    const found = db.prepare(`SELECT type, name FROM sqlite_master WHERE name = ? COLLATE NOCASE AND type IN ('table', 'view', 'index')`).get(target.table) as { type: string; name: string } | undefined
    if (found !== undefined && found.type !== 'table') throw new UserError(`${target.file}: ${found.name} is ${found.type === 'index' ? 'an index' : 'a view'}, not a table; name another table for --out`)
    if (found !== undefined && options.replace !== true) {
      const sameName = found.name === target.table ? '' : ` (SQLite names ignore case: ${target.table} is ${found.name})`
      throw new UserError(`${target.file}: table ${found.name} exists${sameName}; use --force to replace it`)
    }
    const { columns, left } = fieldColumns(states)
    const table = quoteIdent(target.table)
    const names = [...FIXED_COLUMNS, ...columns.map((c) => quoteIdent(c.column))].join(', ')
    const write = db.transaction(() => {
      if (found !== undefined) db!.exec(`DROP TABLE ${quoteIdent(found.name)}`)
      const extra = columns.map((c) => `,\n  ${quoteIdent(c.column)} ${c.type}`).join('')
      db!.exec(`CREATE TABLE ${table} (${schemaNote(columns)}  key TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL${extra})`)
      const insert = db!.prepare(`INSERT INTO ${table} (${names}) VALUES (${[...FIXED_COLUMNS, ...columns].map(() => '?').join(', ')})`)
      for (const [key, entry] of states) {
        const state = entry.state !== null && typeof entry.state === 'object' ? (entry.state as Record<string, unknown>) : undefined
        const values = columns.map(({ field }) => (state !== undefined && Object.hasOwn(state, field) && scalarType(state[field]) !== undefined ? toSql(state[field]) : null))
        insert.run(key, entry.version, JSON.stringify(entry.state) ?? 'null', ...values)
      }
    })
    write()
    written = true
    return { rows: states.size, columns, left }
  } catch (error) {
    throw writeError(error, target)
  } finally {
    db?.close()
    // A file this run created and could not fill is not left behind.
    if (!written && !existed) for (const file of [target.file, `${target.file}-journal`]) rmSync(file, { force: true })
  }
}
