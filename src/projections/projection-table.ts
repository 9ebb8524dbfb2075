import type Database from 'better-sqlite3'
import { UserError } from '../errors.js'
import { quoteIdent, tableColumns, tableNames } from '../sources/sqlite/layout.js'
import { describeSqliteError, explainSqlite, explainSqliteRows } from '../sources/sqlite/sqlite-errors.js'
import { openDatabaseReadOnly } from '../sources/sqlite/sqlite-source.js'
import type { SqliteTableRef } from './sqlite-target.js'

/** A read model table, opened read-only, with its key column checked. */
export class ProjectionTable {
  readonly db: Database.Database
  readonly columns: string[]
  readonly label: string

  constructor(readonly ref: SqliteTableRef, readonly key: string) {
    this.label = `${ref.file}#${ref.table}`
    this.db = openDatabaseReadOnly(ref.file)
    try {
      const tables = tableNames(this.db)
      if (!tables.includes(ref.table)) {
        throw new UserError(`${ref.file}: no table "${ref.table}" (tables: ${tables.length > 0 ? tables.join(', ') : 'none'})`)
      }
      this.columns = tableColumns(this.db, ref.table).map((c) => c.name)
      if (!this.columns.includes(key)) {
        throw new UserError(`${this.label}: no column "${key}" for --key (columns: ${this.columns.join(', ')})`)
      }
    } catch (error) {
      this.db.close()
      throw describeSqliteError(error, { file: ref.file, table: ref.table })
    }
  }

  /** Rows as arrays in column order, sorted by key, read one at a time. */
  rows(): IterableIterator<unknown[]> {
    const select = this.columns.map(quoteIdent).join(', ')
    const place = { file: this.ref.file, table: this.ref.table }
    return explainSqliteRows(place, explainSqlite(place, () => this.db.prepare(`SELECT ${select} FROM ${quoteIdent(this.ref.table)} ORDER BY ${quoteIdent(this.key)}`).raw(true).iterate() as IterableIterator<unknown[]>))
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}
