import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../test/helpers.js'
import { sqlitePath, StoreFiles } from './store-files.js'

describe('sqlitePath', () => {
  it('walks links element by element as SQLite does: dangling links followed, .. after a missing directory', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'real'))
    symlinkSync('real', join(dir, 'alias'))
    symlinkSync('../store.db-wal', join(dir, 'real', 'dangling.db'))
    expect(sqlitePath(join(dir, 'alias', 'dangling.db'))).toBe(join(dir, 'store.db-wal'))
    expect(sqlitePath(join(dir, 'missing', '..', 'store.db'))).toBe(join(dir, 'store.db'))
    // `..` after a link leaves the link's target, not the link.
    expect(sqlitePath(join(dir, 'alias', '..', 'x.db'))).toBe(join(dir, 'x.db'))
  })
})

describe('StoreFiles', () => {
  it('finds the store through a hard link and its sidecars by name, and nothing else', () => {
    const dir = tempDir()
    const store = join(dir, 'store.db')
    writeFileSync(store, 'x')
    linkSync(store, join(dir, 'hard.db'))
    writeFileSync(join(dir, 'other.db'), 'x')
    const files = new StoreFiles(store)
    expect(files.reachedBy(join(dir, 'hard.db'))).toMatch(/^that is the source store .* under another name$/)
    expect(files.reachedBy(store)).toBe('that is the source store')
    expect(files.reachedBy(`${store}-shm`)).toMatch(/is the shm file of the source store/)
    expect(files.reachedBy(join(dir, 'other.db'))).toBeUndefined()
    expect(files.reachedBy(join(dir, 'new.db'))).toBeUndefined()
    expect(files.holds(join(dir, 'hard.db'))).toBe(true)
  })
})
