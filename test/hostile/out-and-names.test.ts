// Issue #18 items 4, 12 and 16 (--out and read-model names): `replay --out` never writes into the
// source store through another name, odd field and table names round-trip through --out and diff,
// and every refusal is one line that names the file.
import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli, tempDir, type CliResult } from '../helpers.js'

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

function oneLine(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^rewind: /)
  expect(lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at /)
}

const tables = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name)
  } finally {
    db.close()
  }
}

let demo: string
beforeAll(async () => {
  demo = await makeDemo()
})

describe('replay --out never reaches the source store through another name (item 4)', () => {
  it('refuses a hard link, a symlink, a dangling symlink and a detour path to the store, writing nothing', async () => {
    const dir = tempDir()
    const store = join(dir, 'bank.db')
    copyFileSync(join(demo, 'bank.db'), store)
    const before = hash(store)
    const storeTables = tables(store)
    linkSync(store, join(dir, 'hard.db'))
    symlinkSync('bank.db', join(dir, 'soft.db'))
    symlinkSync('bank.db-journal', join(dir, 'dangling.db'))
    mkdirSync(join(dir, 'sub'))
    for (const target of ['hard.db', 'soft.db', './sub/../bank.db', join(dir, 'sub', '..', 'hard.db'), 'dangling.db', 'bank.db-journal', 'bank.db-wal', 'bank.db-shm']) {
      const result = await runCli(['replay', 'bank.db', '--out', `sqlite:${target}#copy`], { cwd: dir })
      oneLine(result, /source store.*; rewind never writes to it/)
      expect(result.stderr).toContain(target)
    }
    expect(hash(store)).toBe(before)
    expect(tables(store)).toEqual(storeTables)
    expect(readdirSync(dir).sort()).toEqual(['bank.db', 'dangling.db', 'hard.db', 'soft.db', 'sub'])
  })

  it('refuses the -wal and -shm of a WAL store in use, and hard links to them', async () => {
    const dir = tempDir()
    const store = join(dir, 'bank.db')
    copyFileSync(join(demo, 'bank.db'), store)
    // A writer keeps the store open in WAL mode, so its -wal and -shm exist (as in production).
    const writer = new Database(store)
    try {
      writer.pragma('journal_mode = WAL')
      writer.pragma('wal_autocheckpoint = 0')
      writer.exec('CREATE TABLE extra (a)')
      expect(existsSync(`${store}-wal`) && existsSync(`${store}-shm`)).toBe(true)
      linkSync(`${store}-wal`, join(dir, 'wal-link.db'))
      const wal = hash(`${store}-wal`)
      for (const target of ['bank.db-wal', 'bank.db-shm', 'wal-link.db']) {
        const result = await runCli(['replay', 'bank.db', '--out', `sqlite:${target}#copy`], { cwd: dir })
        oneLine(result, /source store.*; rewind never writes to it/)
      }
      expect(hash(`${store}-wal`)).toBe(wal)
    } finally {
      writer.close()
    }
  })

  it('refuses --out without a file or without a table, with the accepted form, and creates nothing', async () => {
    const dir = tempDir()
    copyFileSync(join(demo, 'bank.db'), join(dir, 'bank.db'))
    for (const out of ['sqlite:#t', '#t', 'sqlite:read.db#', 'sqlite:read.db']) {
      const result = await runCli(['replay', 'bank.db', '--out', out], { cwd: dir })
      oneLine(result, /expected sqlite:FILE#TABLE/)
    }
    expect(readdirSync(dir)).toEqual(['bank.db'])
  })
})

/** Events whose states have every kind of awkward field name. */
function oddEvents(): string {
  const events = [
    { stream: 'order-1', type: 'Placed', data: { Version: 7, State: 'Open', Stream: 'web', Key: 'k-1', key: 'lower', name: 'a', Name: 'B', NAME: 'C', 'a\u0000b': 1, 'with "quotes"': 'q', "it's": 2, 'sp ace': 3.5, 'Größe': 'L', '': 'empty', version_2: 'taken', nested: { x: 1 } } },
    { stream: 'order-2', type: 'Placed', data: { Version: 2, State: 'Closed', name: 'x', 'a\u0000b': 9, flag: true } },
    { stream: 'order-1', type: 'Paid', data: { State: 'Paid', Version: 8 } },
  ]
  return events.map((e, i) => JSON.stringify({ ...e, position: i + 1, time: `2026-11-0${i + 1}T10:00:00Z` })).join('\n') + '\n'
}

describe('odd field and table names round-trip through --out and diff (item 12)', () => {
  it('PascalCase, case twins, NUL and quotes in fields become distinct quoted columns; diff reads them back with no drift', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'orders.ndjson'), oddEvents())
    const table = 'Orders "view" é'
    const out = await runCli(['replay', 'orders.ndjson', '--out', `sqlite:out.db#${table}`], { cwd: dir })
    expect(out.stderr).not.toMatch(/\n\s+at /)
    expect(out.code).toBe(0)

    const db = new Database(join(dir, 'out.db'), { readonly: true })
    const rows = db.prepare(`SELECT * FROM "Orders ""view"" é" ORDER BY key`).all() as Array<Record<string, unknown>>
    db.close()
    expect(rows).toHaveLength(2)
    const [one, two] = rows
    // The fixed columns keep their meaning; each field has a column of its own.
    expect(one).toMatchObject({ key: 'order-1', version: 2, Version_2: 8, State_2: 'Paid', Stream: 'web', Key_2: 'k-1', key_3: 'lower', name: 'a', Name_2: 'B', NAME_3: 'C', a_b: 1, 'with "quotes"': 'q', "it's": 2, 'sp ace': 3.5, 'Größe': 'L', '': 'empty', version_2_2: 'taken' })
    expect(two).toMatchObject({ key: 'order-2', version: 1, Version_2: 2, State_2: 'Closed', name: 'x', a_b: 9, flag: 1 })
    expect(JSON.parse(one.state as string)).toMatchObject({ Version: 8, State: 'Paid', 'a\u0000b': 1, nested: { x: 1 } })

    const diff = await runCli(['diff', 'orders.ndjson', '--projection', `sqlite:out.db#${table}`, '--key', 'key'], { cwd: dir })
    expect(diff.stderr).toBe('')
    expect(diff.code).toBe(0)
    expect(diff.stdout).toMatch(/2 compared: 2 matched, 0 drifted, 0 missing, 0 extra/)
    expect(diff.stdout).not.toMatch(/not compared/)
    expect(diff.stdout).toMatch(/version \(stream version\)/)
    expect(diff.stdout).toMatch(/Version_2 \(state\.Version\)/)
    expect(diff.stdout).toMatch(/key_3 \(state\.key\)/)
  })

  it('diff compares the renamed columns: a changed cell is drift on that field', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'orders.ndjson'), oddEvents())
    expect((await runCli(['replay', 'orders.ndjson', '--out', 'sqlite:out.db#orders'], { cwd: dir })).code).toBe(0)
    const db = new Database(join(dir, 'out.db'))
    db.prepare(`UPDATE orders SET Version_2 = 99, a_b = 5 WHERE key = 'order-2'`).run()
    db.close()
    const diff = await runCli(['diff', 'orders.ndjson', '--projection', 'sqlite:out.db#orders', '--key', 'key', '--json'], { cwd: dir })
    expect(diff.code).toBe(1)
    const json = JSON.parse(diff.stdout)
    expect(json.drifted.map((d: { key: string; fields: unknown[] }) => ({ key: d.key, fields: d.fields }))).toEqual([
      { key: 'order-2', fields: [{ field: 'Version_2', projection: 99, replay: 2 }, { field: 'a_b', projection: 5, replay: 9 }] },
    ])
  })
})

describe('--out and --projection errors name what failed (item 16)', () => {
  it('--out into a file that is not SQLite: one line naming the file, the file untouched', async () => {
    const dir = tempDir()
    copyFileSync(join(demo, 'bank.db'), join(dir, 'bank.db'))
    writeFileSync(join(dir, 'notes.txt'), 'these are my notes, not a database\n'.repeat(20))
    const before = hash(join(dir, 'notes.txt'))
    const result = await runCli(['replay', 'bank.db', '--out', 'sqlite:notes.txt#t'], { cwd: dir })
    oneLine(result, /notes\.txt: not an SQLite database/)
    expect(hash(join(dir, 'notes.txt'))).toBe(before)
    // A named pipe (or /dev/null) holds no database; SQLite would block on it or put a -journal beside it.
    execFileSync('mkfifo', [join(dir, 'pipe.db')])
    const pipe = await runCli(['replay', 'bank.db', '--out', 'sqlite:pipe.db#t'], { cwd: dir, timeoutMs: 20_000 })
    oneLine(pipe, /pipe\.db: not a regular file/)
    expect(readdirSync(dir).sort()).toEqual(['bank.db', 'notes.txt', 'pipe.db'])
  })

  it('--out #CANARY next to a table canary gets the --force hint, and --force replaces it', async () => {
    const dir = tempDir()
    copyFileSync(join(demo, 'bank.db'), join(dir, 'bank.db'))
    const db = new Database(join(dir, 'read.db'))
    db.exec('CREATE TABLE canary (a); INSERT INTO canary VALUES (1)')
    db.close()
    const result = await runCli(['replay', 'bank.db', '--out', 'sqlite:read.db#CANARY'], { cwd: dir })
    oneLine(result, /read\.db: table canary exists .*use --force to replace it/)
    expect(tables(join(dir, 'read.db'))).toEqual(['canary'])
    const forced = await runCli(['replay', 'bank.db', '--out', 'sqlite:read.db#CANARY', '--force'], { cwd: dir })
    expect(forced.code).toBe(0)
    expect(tables(join(dir, 'read.db'))).toEqual(['CANARY'])
  })

  it('diff reads a read-model table named with a space and non-ASCII letters, found ignoring case', async () => {
    const dir = tempDir()
    copyFileSync(join(demo, 'read.db'), join(dir, 'read.db'))
    const expected = await runCli(['diff', '@bank', '--projection', `sqlite:${join(dir, 'read.db')}#account_view`, '--key', 'account_id', '--json'], { cwd: demo })
    expect(expected.code).toBe(1)
    const db = new Database(join(dir, 'read.db'))
    db.exec(`ALTER TABLE account_view RENAME TO "Kontoübersicht (alt)"`)
    db.close()
    for (const name of ['Kontoübersicht (alt)', 'KONTOüBERSICHT (ALT)']) {
      const result = await runCli(['diff', '@bank', '--projection', `sqlite:${join(dir, 'read.db')}#${name}`, '--key', 'account_id', '--json'], { cwd: demo })
      expect(result.stderr).toBe('')
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout)).toEqual(JSON.parse(expected.stdout))
    }
  })
})
