import type Database from 'better-sqlite3'
import { UserError } from '../errors.js'
import { quoteIdent, tableColumns, tableNames } from '../sources/sqlite/layout.js'
import { describeSqliteError, explainSqlite, explainSqliteRows } from '../sources/sqlite/sqlite-errors.js'
import { openDatabaseReadOnly } from '../sources/sqlite/sqlite-source.js'
import type { ColumnTarget } from './columns.js'
import { writtenTargets } from './read-model-columns.js'
import { sqliteNameKey, type SqliteTableRef } from './sqlite-target.js'

/** The name as written, else the one name equal to it ignoring ASCII case (as SQLite compares names). */
function findName(names: string[], wanted: string): string | undefined {
  if (names.includes(wanted)) return wanted
  const same = names.filter((n) => sqliteNameKey(n) === sqliteNameKey(wanted))
  return same.length === 1 ? same[0] : undefined
}

/** A read model table, opened read-only, with its key column checked. */
export class ProjectionTable {
  readonly db: Database.Database
  readonly columns: string[]
  readonly label: string
  /** The table's name and key column as the file spells them. */
  readonly table: string
  readonly key: string
  /** For a table `replay --out` wrote: what its version, state and renamed columns hold. */
  readonly written: Map<string, ColumnTarget> | undefined

  constructor(readonly ref: SqliteTableRef, key: string) {
    this.label = `${ref.file}#${ref.table}`
    this.db = openDatabaseReadOnly(ref.file)
    try {
      const tables = tableNames(this.db)
      const table = findName(tables, ref.table)
      if (table === undefined) {
        throw new UserError(`${ref.file}: no table "${ref.table}" (tables: ${tables.length > 0 ? tables.join(', ') : 'none'})`)
      }
      this.table = table
      this.columns = tableColumns(this.db, table).map((c) => c.name)
      const keyColumn = findName(this.columns, key)
      if (keyColumn === undefined) {
        throw new UserError(`${this.label}: no column "${key}" for --key (columns: ${this.columns.join(', ')})`)
      }
      this.key = keyColumn
      const sql = this.db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(table) as string | null | undefined
      this.written = writtenTargets(sql ?? undefined)
    } catch (error) {
      this.db.close()
      throw describeSqliteError(error, { file: ref.file, table: ref.table })
    }
  }

  /** Rows as arrays in column order, sorted by key, read one at a time. */
  rows(): IterableIterator<unknown[]> {
    const select = this.columns.map(quoteIdent).join(', ')
    const place = { file: this.ref.file, table: this.table }
    return explainSqliteRows(place, explainSqlite(place, () => this.db.prepare(`SELECT ${select} FROM ${quoteIdent(this.table)} ORDER BY ${quoteIdent(this.key)}`).raw(true).iterate() as IterableIterator<unknown[]>))
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}
