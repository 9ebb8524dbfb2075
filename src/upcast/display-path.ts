import { isAbsolute, relative } from 'node:path'

/** A path as the user would type it from here: relative when under the working directory. */
export function displayPath(file: string, cwd = process.cwd()): string {
  if (!isAbsolute(file)) return file
  const rel = relative(cwd, file)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel
}
