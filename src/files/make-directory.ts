import { mkdirSync, statSync, type Stats } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { UserError } from '../errors.js'
import { fsReason, otherFileKind } from './regular-file.js'

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdirSync loops for ever where a directory
 * cannot be made in one that exists (`/proc/nope`: ENOENT again and again); this fails at once,
 * naming the level that could not be made and why.
 */
export function makeDirectory(dir: string, what = 'directory'): void {
  const target = resolve(dir)
  const fail = (at: string, reason: string) => {
    const where = at === target ? reason : reason.startsWith('is ') ? `${at} ${reason}` : `${at}: ${reason}`
    return new UserError(`${dir}: cannot create the ${what}: ${where}`)
  }
  const missing: string[] = []
  for (let at = target; ; at = dirname(at)) {
    let stats: Stats | undefined
    try {
      stats = statSync(at, { throwIfNoEntry: false })
    } catch (error) {
      // ENOTDIR: a file further up, which the next level names.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw fail(at, fsReason(error))
    }
    if (stats !== undefined) {
      if (!stats.isDirectory()) throw fail(at, `is ${otherFileKind(stats) ?? 'a file'}`)
      break
    }
    missing.unshift(at)
    if (dirname(at) === at) break
  }
  for (const level of missing) {
    try {
      mkdirSync(level)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory()) continue
      throw fail(level, fsReason(error))
    }
  }
}
