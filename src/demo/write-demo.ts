import Database from 'better-sqlite3'
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UserError } from '../errors.js'
import { makeDirectory } from '../files/make-directory.js'
import { fsReason } from '../files/regular-file.js'
import { loadReducer } from '../fold/reducer.js'
import { replayAll } from '../fold/replay.js'
import { SqliteSource } from '../sources/sqlite/sqlite-source.js'
import { loadUpcasters } from '../upcast/load-upcasters.js'
import { demoEvents, DUPLICATED_ACCOUNT } from './bank-events.js'

/** fixtures/demo holds the reducer, upcasters and fixtures the demo copies (dist/src/demo -> repo root). */
export const DEMO_TEMPLATES = fileURLToPath(new URL('../../../fixtures/demo/', import.meta.url))

/** The account whose read-model row applied one deposit twice. */
export const DRIFTED_ACCOUNT = 'acc-03'
/** How many events the account_view projection is behind the head. */
export const PROJECTION_BEHIND = 6

export interface DemoFiles {
  dir: string
  store: string
  readModel: string
  files: string[]
  /** The directory held a demo already, which was written anew. */
  refreshed: boolean
}

function writeStore(file: string): number {
  const db = new Database(file)
  db.pragma('journal_mode = DELETE')
  db.exec(`
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      stream_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      event_type TEXT NOT NULL,
      schema_version INTEGER NOT NULL DEFAULT 1,
      event_data TEXT NOT NULL,
      metadata TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX events_stream ON events (stream_id, version);
    CREATE TABLE mt_event_progression (name TEXT PRIMARY KEY, last_seq_id INTEGER NOT NULL, last_updated TEXT NOT NULL);
  `)
  const insert = db.prepare('INSERT INTO events (stream_id, version, event_type, schema_version, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
  const events = demoEvents()
  db.transaction(() => {
    for (const e of events) {
      // SQLite's own "YYYY-MM-DD HH:MM:SS.SSS" text, as CURRENT_TIMESTAMP-style apps write it.
      insert.run(e.stream, e.version, e.type, e.schemaVersion, JSON.stringify(e.data), JSON.stringify(e.meta), e.time.replace('T', ' ').replace('Z', ''))
    }
    const head = events.length
    const last = events[head - 1].time
    const checkpoints = db.prepare('INSERT INTO mt_event_progression VALUES (?, ?, ?)')
    checkpoints.run('account_view', head - PROJECTION_BEHIND, events[head - PROJECTION_BEHIND - 1].time)
    checkpoints.run('notifications', head, last)
  })()
  db.close()
  return events.length
}

async function writeReadModel(store: string, file: string, dir: string): Promise<void> {
  const source = new SqliteSource(store)
  const checkpoint = Number(source.db.prepare(`SELECT last_seq_id FROM mt_event_progression WHERE name = 'account_view'`).pluck().get())
  const [reducer, upcasters] = await Promise.all([loadReducer(join(dir, 'reducer.ts')), loadUpcasters(join(dir, 'upcasters.ts'))])
  const { states } = await replayAll(source, { reducer, upcasters, read: { untilPosition: checkpoint } })
  await source.close()
  const db = new Database(file)
  db.pragma('journal_mode = DELETE')
  db.exec(`CREATE TABLE account_view (
    account_id TEXT PRIMARY KEY, owner TEXT, currency TEXT, balance INTEGER NOT NULL,
    deposits INTEGER NOT NULL, withdrawals INTEGER NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)`)
  const insert = db.prepare('INSERT INTO account_view VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const replayDb = new Database(store, { readonly: true })
  // The planted bug: the projector crashed after applying this deposit and applied it again on restart.
  const doubled = replayDb.prepare(`SELECT event_data, schema_version FROM events WHERE stream_id = ? AND event_type = 'MoneyDeposited' ORDER BY version LIMIT 1 OFFSET 4`).get(DRIFTED_ACCOUNT) as { event_data: string; schema_version: number }
  replayDb.close()
  const doubledData = JSON.parse(doubled.event_data) as { amount: number | { value: number } }
  const doubledAmount = typeof doubledData.amount === 'number' ? doubledData.amount : doubledData.amount.value
  db.transaction(() => {
    for (const [stream, entry] of [...states].sort(([a], [b]) => a.localeCompare(b))) {
      const s = entry.state as { owner: string; currency: string; balance: number; deposits: number; withdrawals: number }
      const drift = stream === DRIFTED_ACCOUNT ? { balance: doubledAmount, deposits: 1 } : { balance: 0, deposits: 0 }
      insert.run(stream, s.owner, s.currency, s.balance + drift.balance, s.deposits + drift.deposits, s.withdrawals, entry.version, entry.time)
    }
  })()
  db.close()
}

/** Writes the demo into `dir`: bank.db, read.db, reducer.ts, upcasters.ts, fixtures and a config file. */
export async function writeDemo(dir: string, options: { force?: boolean } = {}): Promise<DemoFiles> {
  makeDirectory(dir, 'demo directory')
  try {
    return await writeDemoFiles(dir, options)
  } catch (error) {
    if (error instanceof UserError) throw error
    // A directory that exists but takes no files (/proc, a read-only mount, a full disk).
    const path = (error as { dest?: string }).dest ?? (error as NodeJS.ErrnoException).path
    throw new UserError(`${dir}: cannot write the demo${path === undefined ? '' : ` (${path})`}: ${fsReason(error)}`, { cause: error })
  }
}

/** Whether `dir` holds a demo this command wrote: its config file names @bank as bank.db. */
function holdsDemo(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, '.rewindrc.json'), 'utf8')) as { sources?: Record<string, unknown> }
    return config.sources?.bank === 'sqlite:bank.db'
  } catch {
    return false
  }
}

async function writeDemoFiles(dir: string, options: { force?: boolean }): Promise<DemoFiles> {
  const store = join(dir, 'bank.db')
  const readModel = join(dir, 'read.db')
  // Running the demo again refreshes it; other files of the same names are the user's.
  const refreshed = holdsDemo(dir)
  for (const file of [store, readModel]) {
    if (existsSync(file) && !refreshed && options.force !== true) throw new UserError(`${file} exists and is not a rewind demo; use --force to overwrite it, or give another DIR`)
  }
  for (const file of [store, readModel, `${store}-wal`, `${store}-shm`]) rmSync(file, { force: true })
  copyFileSync(join(DEMO_TEMPLATES, 'reducer.ts'), join(dir, 'reducer.ts'))
  copyFileSync(join(DEMO_TEMPLATES, 'upcasters.ts'), join(dir, 'upcasters.ts'))
  const fixtures = join(DEMO_TEMPLATES, 'upcaster-fixtures')
  const files = ['bank.db', 'read.db', 'reducer.ts', 'upcasters.ts', '.rewindrc.json']
  if (existsSync(fixtures)) {
    cpSync(fixtures, join(dir, 'upcaster-fixtures'), { recursive: true })
    files.push('upcaster-fixtures/')
  }
  writeFileSync(join(dir, '.rewindrc.json'), `${JSON.stringify({
    sources: { bank: 'sqlite:bank.db' },
    reducer: 'reducer.ts',
    upcasters: 'upcasters.ts',
  }, null, 2)}\n`)
  writeStore(store)
  await writeReadModel(store, readModel, dir)
  return { dir, store, readModel, files, refreshed }
}

export { DUPLICATED_ACCOUNT }
