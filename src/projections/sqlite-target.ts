import { existsSync, realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { UserError } from '../errors.js'

/** A table in a SQLite file, written `sqlite:FILE#TABLE`. */
export interface SqliteTableRef {
  file: string
  table: string
}

export function parseSqliteTableRef(spec: string, flag: string): SqliteTableRef {
  const match = /^(?:sqlite:)?([^#]+)#([A-Za-z_][\w$]*)$/.exec(spec)
  if (match === null) throw new UserError(`${flag} "${spec}": expected sqlite:FILE#TABLE, e.g. sqlite:read.db#account_view`)
  return { file: match[1], table: match[2] }
}

/** True when both paths name the same file (through links and relative paths). */
export function sameFile(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p))
  return real(a) === real(b)
}
