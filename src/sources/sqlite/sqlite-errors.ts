import { accessSync, constants, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { UserError } from '../../errors.js'
import { fsReason, otherFileKind } from '../../files/regular-file.js'

/** Where a SQLite statement ran: the file, and the table it read when one is known. */
export interface SqlitePlace {
  file: string
  table?: string
}

interface SqliteErrorLike extends Error {
  code: string
}

function isSqliteError(error: unknown): error is SqliteErrorLike {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && (error as SqliteErrorLike).code.startsWith('SQLITE_')
}

/** Why SQLite could not open a file it was asked to: what the file system says about it and its journal. */
function cantOpenReason(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK)
  } catch (error) {
    return `cannot read it: ${fsReason(error)}`
  }
  for (const suffix of ['-wal', '-shm', '-journal']) {
    const stats = statSync(`${file}${suffix}`, { throwIfNoEntry: false })
    const kind = stats === undefined ? undefined : otherFileKind(stats)
    if (kind !== undefined) return `${file}${suffix}, which SQLite reads with it, is ${kind}`
    if (stats !== undefined) {
      try {
        accessSync(`${file}${suffix}`, constants.R_OK)
      } catch (error) {
        return `cannot read ${file}${suffix}, which SQLite reads with it: ${fsReason(error)}`
      }
    }
  }
  try {
    accessSync(dirname(file), constants.X_OK)
  } catch (error) {
    return `cannot reach its directory: ${fsReason(error)}`
  }
  return undefined
}

/**
 * A SQLite error as one line naming the file (and table) and what was wrong with it; anything
 * else is returned as it is. better-sqlite3's messages name neither ("database disk image is
 * malformed", "no such table: events").
 */
export function describeSqliteError(error: unknown, place: SqlitePlace): unknown {
  if (!isSqliteError(error)) return error
  const { file, table } = place
  const raw = error.message
  const reading = table === undefined ? '' : `, reading table ${table}`
  const code = error.code
  let message: string
  const missingTable = /^no such table: (.+)$/.exec(raw)?.[1]
  const missingColumn = /^no such column: (.+)$/.exec(raw)?.[1]
  if (code.startsWith('SQLITE_CORRUPT')) {
    message = `the SQLite file is damaged (${raw})${reading}; check it with sqlite3 ${file} "PRAGMA integrity_check", or use a backup`
  } else if (code === 'SQLITE_NOTADB') {
    message = `not a SQLite database (${raw})`
  } else if (missingTable !== undefined) {
    message = `table ${missingTable} is not there (${raw}); was it dropped or renamed while rewind read it?`
  } else if (missingColumn !== undefined) {
    message = `${table === undefined ? 'a table' : `table ${table}`} has no column ${missingColumn} (${raw}); was it changed while rewind read it?`
  } else if (code.startsWith('SQLITE_CANTOPEN')) {
    const reason = cantOpenReason(file)
    message = reason === undefined ? `SQLite cannot open it (${raw})` : `SQLite cannot open it (${raw}): ${reason}`
  } else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    message = `the file is locked by another connection (${raw})${reading}; try again when the writer is done`
  } else if (code.startsWith('SQLITE_IOERR')) {
    message = `cannot read the file (${raw})${reading}`
  } else {
    message = `SQLite failed${reading}: ${raw}`
  }
  return new UserError(`${file}: ${message}`, { cause: error })
}

/** Runs `read`, turning a SQLite error into one line naming `place`. */
export function explainSqlite<T>(place: SqlitePlace | (() => SqlitePlace), read: () => T): T {
  try {
    return read()
  } catch (error) {
    throw describeSqliteError(error, typeof place === 'function' ? place() : place)
  }
}

/** `rows` (a statement's iterator, a generator of pages), with SQLite errors named as explainSqlite does. */
export function* explainSqliteRows<T>(place: SqlitePlace | (() => SqlitePlace), rows: Iterable<T>): Generator<T> {
  try {
    yield* rows
  } catch (error) {
    throw describeSqliteError(error, typeof place === 'function' ? place() : place)
  }
}
