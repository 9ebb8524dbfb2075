import { closeSync, fstatSync, openSync, readFileSync, statSync, type Stats, constants } from 'node:fs'
import { UserError } from '../errors.js'

/** Node's error codes in words, for one-line messages. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
}

/** Why a file operation failed, in words ("permission denied"), without Node's syscall and path. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code
  if (code !== undefined && REASONS[code] !== undefined) return REASONS[code]
  return (error as Error)?.message ?? String(error)
}

/** What a path that is not a regular file is, in words; undefined for a regular file. */
export function otherFileKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * The text of a regular file, or one line naming it and what is wrong: a directory, a pipe or a
 * device (which would block or never end), a file over `maxBytes`, or one that cannot be read.
 * The check is made on the opened file, so a path swapped for a pipe in between is caught too.
 */
export function readRegularFile(file: string, options: { shown?: string; expected: string; maxBytes: number }): string {
  const shown = options.shown ?? file
  let fd: number
  try {
    const kind = otherFileKind(statSync(file))
    if (kind !== undefined) throw new UserError(`${shown}: is ${kind}, expected ${options.expected}`)
    // O_NONBLOCK: a FIFO put there since the check opens at once instead of waiting for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`${shown}: cannot read ${options.expected} (${fsReason(error)})`)
  }
  try {
    const stats = fstatSync(fd)
    const kind = otherFileKind(stats)
    if (kind !== undefined) throw new UserError(`${shown}: is ${kind}, expected ${options.expected}`)
    if (stats.size > options.maxBytes) {
      throw new UserError(`${shown}: ${(stats.size / 2 ** 20).toFixed(1)} MiB is too large for ${options.expected} (at most ${options.maxBytes / 2 ** 20} MiB)`)
    }
    return readFileSync(fd, 'utf8')
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`${shown}: cannot read ${options.expected} (${fsReason(error)})`)
  } finally {
    closeSync(fd)
  }
}
