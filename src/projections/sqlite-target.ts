import { UserError } from '../errors.js'

/** A table in a SQLite file, written `sqlite:FILE#TABLE`. */
export interface SqliteTableRef {
  file: string
  table: string
}

const FORM = 'expected sqlite:FILE#TABLE, e.g. sqlite:read.db#account_view'

/** FILE is everything before the first `#`, TABLE everything after it: spaces, quotes and any letters. */
export function parseSqliteTableRef(spec: string, flag: string): SqliteTableRef {
  const rest = spec.startsWith('sqlite:') ? spec.slice('sqlite:'.length) : spec
  const hash = rest.indexOf('#')
  if (hash < 0) throw new UserError(`${flag} "${spec}": ${FORM}; there is no #TABLE`)
  const file = rest.slice(0, hash)
  const table = rest.slice(hash + 1)
  if (file === '') throw new UserError(`${flag} "${spec}": ${FORM}; there is no FILE before #`)
  if (table === '') throw new UserError(`${flag} "${spec}": ${FORM}; there is no TABLE after #`)
  return { file, table }
}

/** SQLite compares table and column names ignoring the case of ASCII letters only. */
export const sqliteNameKey = (name: string): string => name.replace(/[A-Z]+/g, (s) => s.toLowerCase())
