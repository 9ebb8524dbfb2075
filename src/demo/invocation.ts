import { realpathSync, statSync } from 'node:fs'
import { delimiter, join, relative, sep } from 'node:path'

const same = (a: string, b: string): boolean => {
  try {
    return realpathSync(a) === realpathSync(b)
  } catch {
    return false
  }
}

/**
 * How the user can run this rewind from `dir`: `rewind` when that name on PATH is this very
 * program (npm link, a global install), else the path to the script that is running
 * (`../bin/run.js` after `./bin/run.js demo`), so that every command the demo prints works as
 * printed, where it is printed.
 */
export function commandName(dir: string, script = process.argv[1], path = process.env.PATH ?? ''): string {
  if (script === undefined) return 'rewind'
  for (const entry of path.split(delimiter)) {
    if (entry === '') continue
    const candidate = join(entry, 'rewind')
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile() === true && same(candidate, script)) return 'rewind'
  }
  // The shorter of the relative and the absolute path.
  const near = relative(dir, script)
  if (near === '' || near.length > script.length) return script
  return near.startsWith('.') ? near : `.${sep}${near}`
}
