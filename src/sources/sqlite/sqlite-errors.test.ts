import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../errors.js'
import { describeSqliteError, explainSqlite, explainSqliteRows } from './sqlite-errors.js'

function store(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rewind-sqlite-errors-')), 'store.db')
  const db = new Database(file)
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, type TEXT); INSERT INTO events (type) VALUES (\'A\'), (\'B\')')
  db.close()
  return file
}

describe('describeSqliteError', () => {
  it('names the file and the table of a store another connection has locked', () => {
    const file = store()
    const writer = new Database(file)
    writer.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE')
    const reader = new Database(file, { readonly: true, timeout: 0 })
    try {
      expect(() => explainSqlite({ file, table: 'events' }, () => reader.prepare('SELECT count(*) FROM events').get()))
        .toThrow(new UserError(`${file}: the file is locked by another connection (database is locked), reading table events; try again when the writer is done`))
    } finally {
      reader.close()
      writer.close()
    }
  })

  it('names a column that went away while rows were read', () => {
    const file = store()
    const db = new Database(file)
    expect(() => explainSqlite({ file, table: 'events' }, () => db.prepare('SELECT missing FROM events').all())).toThrow(/store\.db: table events has no column missing \(no such column: missing\)/)
    db.close()
  })

  it('names the table dropped between two pages of rows', () => {
    const file = store()
    const db = new Database(file)
    const pages = function* () {
      yield db.prepare('SELECT * FROM events').all()
      db.exec('DROP TABLE events')
      yield db.prepare('SELECT * FROM events').all()
    }
    const read = () => [...explainSqliteRows({ file, table: 'events' }, pages())]
    expect(read).toThrow(/store\.db: table events is not there \(no such table: events\)/)
    db.close()
  })

  it('leaves other errors alone', () => {
    const error = new TypeError('not SQLite')
    expect(describeSqliteError(error, { file: 'x.db' })).toBe(error)
  })
})
