/**
 * A WAL-mode store read by a user who cannot write its directory. SQLite needs a `-shm` file next
 * to the store to read it in WAL mode; a reader that cannot create one cannot open the store at
 * all ("attempt to write a readonly database", "unable to open database file"). SQLite's way out,
 * the `immutable` URI parameter, is not available (better-sqlite3 is built without URI file
 * names), and exclusive locking needs a writable descriptor. So rewind reads a private copy of
 * the store and its -wal, taken at start, in a directory of its own, removed at exit.
 */
import { accessSync, closeSync, constants, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { UserError } from '../../errors.js'

/** Whether the store's header says WAL (file format versions 2, bytes 18 and 19). */
function isWalMode(file: string): boolean {
  const header = Buffer.alloc(20)
  const fd = openSync(file, 'r')
  try {
    return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2 && header[19] === 2
  } finally {
    closeSync(fd)
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** True when `file` cannot be read in place only because its -shm cannot be created. */
export function needsPrivateCopy(file: string): boolean {
  try {
    return isWalMode(file) && !existsSync(`${file}-shm`) && !writable(dirname(file))
  } catch {
    return false
  }
}

const copies: string[] = []

/**
 * Copies the store (and its -wal, if any) into a fresh temporary directory and returns the copy's
 * path. A note on stderr says so (once, from the main thread: workers open the copy they are given).
 */
export function privateCopy(file: string): string {
  const wal = `${file}-wal`
  const walBytes = existsSync(wal) ? statSync(wal).size : 0
  let dir: string
  try {
    dir = mkdtempSync(join(tmpdir(), 'rewind-wal-'))
    if (copies.length === 0) process.once('exit', () => { for (const d of copies) rmSync(d, { recursive: true, force: true }) })
    copies.push(dir)
    const copy = join(dir, basename(file))
    copyFileSync(file, copy, constants.COPYFILE_FICLONE)
    if (walBytes > 0) copyFileSync(wal, `${copy}-wal`, constants.COPYFILE_FICLONE)
    if (isMainThread) {
      const what = walBytes > 0 ? `the store and its -wal (${walBytes} bytes not yet checkpointed)` : 'the store (its -wal is empty)'
      process.stderr.write(`note: ${file}: a WAL store in a directory you cannot write (SQLite would need to create ${basename(file)}-shm there); reading a private copy of ${what} taken now, so later writes are not seen\n`)
    }
    return copy
  } catch (error) {
    throw new UserError(`${file}: a WAL store in a directory you cannot write (SQLite would need to create ${basename(file)}-shm there), and copying it to ${tmpdir()} failed: ${(error as Error).message}`, { cause: error })
  }
}
