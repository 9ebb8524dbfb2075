import { isAbsolute, relative } from 'node:path'

/**
 * A path as the user would type it from here: relative to the working directory when that is
 * shorter (`bank.db`, `../bank.db`), absolute otherwise. Paths from the config file are resolved
 * against its directory, and shown this way rather than made absolute.
 */
export function displayPath(file: string, cwd = process.cwd()): string {
  if (!isAbsolute(file)) return file
  const rel = relative(cwd, file)
  return rel === '' || isAbsolute(rel) || rel.length >= file.length ? file : rel
}
