import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, resolve } from 'node:path'

/** A database file and what SQLite writes next to it. */
const SIDECARS = ['', '-wal', '-shm', '-journal']
/** SQLite gives up after about this many links (SQLITE_MAX_SYMLINK); so do we. */
const MAX_LINKS = 200

/**
 * The absolute path SQLite opens for `path`: it resolves links element by element, a dangling
 * one too (and creates the file it points to), and `..` drops the element before it even when
 * that element does not exist. Node's realpath does neither, so we walk the path as SQLite does.
 */
export function sqlitePath(path: string): string {
  const parts: string[] = []
  let links = 0
  const append = (text: string): void => {
    for (const name of text.split('/')) {
      if (name === '' || name === '.') continue
      if (name === '..') {
        parts.pop()
        continue
      }
      parts.push(name)
      const here = `/${parts.join('/')}`
      let isLink = false
      try {
        isLink = lstatSync(here).isSymbolicLink()
      } catch {
        continue
      }
      if (!isLink || ++links > MAX_LINKS) continue
      const target = readlinkSync(here)
      parts.pop()
      if (target.startsWith('/')) parts.length = 0
      append(target)
    }
  }
  append(isAbsolute(path) ? path : `${process.cwd()}/${path}`)
  return `/${parts.join('/')}`
}

/** What makes two names the same file: device and inode, or (before it exists) the directory's and the name. */
function identities(path: string): string[] {
  const ids: string[] = []
  try {
    const file = statSync(path)
    ids.push(`file ${file.dev}:${file.ino}`)
  } catch {
    // Not there (yet): the name alone can still be the store's.
  }
  try {
    const dir = statSync(dirname(path))
    ids.push(`name ${dir.dev}:${dir.ino}/${basename(path)}`)
  } catch {
    ids.push(`name ${resolve(path)}`)
  }
  return ids
}

/** The names a file goes by for SQLite and for the OS, each with its -wal, -shm and -journal. */
function family(file: string): Array<{ path: string; sidecar: string }> {
  const bases = new Set([sqlitePath(file)])
  try {
    bases.add(realpathSync(file))
  } catch {
    // A dangling name: SQLite's walk already followed it.
  }
  return [...bases].flatMap((base) => SIDECARS.map((sidecar) => ({ path: base + sidecar, sidecar })))
}

/** The files of a store that a write must never reach. */
export class StoreFiles {
  private readonly ids = new Map<string, { path: string; sidecar: string }>()

  constructor(readonly store: string) {
    for (const file of family(store)) for (const id of identities(file.path)) if (!this.ids.has(id)) this.ids.set(id, file)
  }

  /**
   * Which store file writing a SQLite database at `target` would reach, through any name
   * (hard or symbolic link, `..`, or its -wal, -shm or -journal), described; undefined when none.
   */
  reachedBy(target: string): string | undefined {
    for (const { path, sidecar } of family(target)) {
      for (const id of identities(path)) {
        const hit = this.ids.get(id)
        if (hit === undefined) continue
        if (sidecar === '' && hit.sidecar === '') return `that is the source store${resolve(target) === resolve(this.store) ? '' : ` ${this.store} under another name`}`
        const what = hit.sidecar === '' ? 'the source store' : `the ${hit.sidecar.slice(1)} file of the source store`
        return `${sidecar === '' ? target : `writing ${target} writes ${target}${sidecar}, which`} is ${what} ${this.store}`
      }
    }
    return undefined
  }

  /** Whether SQLite's name for an opened database (PRAGMA database_list) is one of the store's files. */
  holds(openedFile: string): boolean {
    return identities(openedFile).some((id) => this.ids.has(id))
  }
}
