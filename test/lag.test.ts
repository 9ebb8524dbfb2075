import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, makeDemo, ROOT, runCli, tempDir } from './helpers.js'

let demo: string
beforeAll(async () => {
  demo = await makeDemo()
})

interface LagJson {
  head: { position: number | null; time: string | null }
  projections: Array<{ name: string; table?: string; position: number | null; head: number | null; lagEvents: number | null; lagSeconds: number | null; updated?: string | null; status: string; reason: string }>
}

const parse = (text: string) => JSON.parse(text) as LagJson
const byName = (out: LagJson, name: string) => out.projections.find((p) => p.name === name)!

/** A copy of a committed fixture store, so readers' sidecar files stay out of the tree. */
function fixture(path: string): string {
  const file = join(tempDir(), path.split('/').pop()!)
  copyFileSync(join(ROOT, 'fixtures', 'real', path), file)
  return file
}

/** The age in seconds, at `at`, of an event time stored as SQLite text or ISO. */
const ageAt = (time: string, at: number) => (at - Date.parse(time.includes('T') ? time : `${time.replace(' ', 'T')}Z`)) / 1000

/** Runs `lag` and checks lagSeconds against the oldest unprocessed event's time, measured around the run. */
async function lagWithAges(args: string[], cwd?: string): Promise<{ out: LagJson; before: number; after: number; code: number | null }> {
  const before = Date.now()
  const result = await runCli(['lag', ...args, '--json'], { cwd })
  const after = Date.now()
  if (result.code === 2) throw new Error(result.stderr)
  return { out: parse(result.stdout), before, after, code: result.code }
}

function expectAge(lagSeconds: number | null, time: string, window: { before: number; after: number }) {
  expect(lagSeconds).not.toBeNull()
  expect(lagSeconds!).toBeGreaterThanOrEqual(Math.floor(ageAt(time, window.before)))
  expect(lagSeconds!).toBeLessThanOrEqual(Math.ceil(ageAt(time, window.after)))
}

describe('rewind lag on SQLite stores', () => {
  it('Marten-style mt_event_progression (the demo): lag in events, counted exactly, and the age of the oldest unprocessed event', async () => {
    const db = new Database(join(demo, 'bank.db'), { readonly: true })
    const head = db.prepare('SELECT max(id) FROM events').pluck().get() as number
    const checkpoint = db.prepare(`SELECT last_seq_id FROM mt_event_progression WHERE name = 'account_view'`).pluck().get() as number
    const oldest = db.prepare('SELECT created_at FROM events WHERE id = ?').pluck().get(checkpoint + 1) as string
    db.close()
    const run = await lagWithAges(['@bank'], demo)
    expect(run.code).toBe(0)
    expect(run.out.head.position).toBe(head)
    expect(byName(run.out, 'account_view')).toMatchObject({ table: 'mt_event_progression', position: checkpoint, head, lagEvents: head - checkpoint, status: 'OK' })
    expect(head - checkpoint).toBe(6)
    expectAge(byName(run.out, 'account_view').lagSeconds, oldest, run)
    expect(byName(run.out, 'notifications')).toMatchObject({ position: head, lagEvents: 0, lagSeconds: 0, status: 'OK', reason: 'caught up' })
  })

  it('Emmett emt_processors (zero-padded text checkpoint), from a store Emmett wrote', async () => {
    const store = fixture('emmett/emmett.db')
    const db = new Database(store, { readonly: true })
    expect(db.prepare('SELECT last_processed_checkpoint FROM emt_processors').pluck().get()).toMatch(/^0+\d+$/)
    const oldest = db.prepare(`SELECT created FROM emt_messages WHERE global_position > 17 ORDER BY global_position LIMIT 1`).pluck().get() as string
    const events = db.prepare(`SELECT count(*) FROM emt_messages WHERE global_position > 17 AND message_kind = 'E' AND is_archived = 0`).pluck().get() as number
    db.close()
    const run = await lagWithAges([store])
    expect(byName(run.out, 'account_balances')).toMatchObject({ table: 'emt_processors', position: 17, head: 25, lagEvents: events, status: 'OK' })
    expectAge(byName(run.out, 'account_balances').lagSeconds, oldest, run)
  })

  it('Emmett emt_subscriptions (before 0.39) and Python eventsourcing tracking, from stores the libraries wrote', async () => {
    const older = await lagWithAges([fixture('emmett-0.38/emmett.db')])
    expect(byName(older.out, 'account_balances')).toMatchObject({ table: 'emt_subscriptions', position: 17, head: 25, lagEvents: 8 })
    const python = await lagWithAges([fixture('eventsourcing/eventsourcing.db')])
    const tracking = byName(python.out, 'BankAccounts')
    expect(tracking).toMatchObject({ table: 'tracking', position: 16, head: 21, lagEvents: 5 })
    // The time lives inside the pickled event state; it is read through the preset.
    expect(tracking.lagSeconds).toBeGreaterThan(0)
  })

  it('counts only events after the checkpoint: Emmett link messages and archived rows are not lag', async () => {
    const store = fixture('emmett/emmett.db')
    const db = new Database(store)
    db.prepare(`INSERT INTO emt_messages (stream_id, stream_position, message_kind, message_data, message_metadata, message_schema_version, message_type, message_id) VALUES ('link-1', 1, 'L', '{}', '{}', '1', 'Link', 'l1')`).run()
    db.prepare(`INSERT INTO emt_messages (stream_id, stream_position, message_data, message_metadata, message_schema_version, message_type, message_id, is_archived) VALUES ('old-1', 1, '{}', '{}', '1', 'Old', 'o1', 1)`).run()
    db.close()
    const run = await lagWithAges([store])
    expect(byName(run.out, 'account_balances').lagEvents).toBe(8)
  })

  it('a table named with --checkpoints, --name-column and --position-column; --position-column then describes it, not the events', async () => {
    const store = join(tempDir(), 'custom.db')
    const db = new Database(store)
    db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT, created_at TEXT);
      CREATE TABLE projection_offsets (projection TEXT, last_event INTEGER, touched TEXT);`)
    const insert = db.prepare(`INSERT INTO events (stream_id, event_type, event_data, created_at) VALUES ('s', 'E', '{}', ?)`)
    for (let i = 0; i < 10; i++) insert.run(`2026-11-01 10:00:0${i}`)
    db.prepare(`INSERT INTO projection_offsets VALUES ('orders', 7, '2026-11-01 10:00:07'), ('invoices', NULL, NULL)`).run()
    db.close()
    const run = await lagWithAges([store, '--checkpoints', 'projection_offsets', '--name-column', 'projection', '--position-column', 'last_event', '--updated-column', 'touched'])
    expect(byName(run.out, 'orders')).toMatchObject({ table: 'projection_offsets', position: 7, head: 10, lagEvents: 3, updated: '2026-11-01T10:00:07.000Z' })
    expectAge(byName(run.out, 'orders').lagSeconds, '2026-11-01 10:00:07', run)
    // No checkpoint yet: every event is unprocessed.
    expect(byName(run.out, 'invoices')).toMatchObject({ position: null, lagEvents: 10 })
    expectAge(byName(run.out, 'invoices').lagSeconds, '2026-11-01 10:00:00', run)

    const only = await runCli(['lag', store, '--checkpoints', 'projection_offsets', '--name-column', 'projection', '--position-column', 'last_event', '--projection', 'ord*', '--json'])
    expect(parse(only.stdout).projections.map((p) => p.name)).toEqual(['orders'])
  })
})

describe('rewind lag --warn / --fail', () => {
  it('sets the status from events or durations, and exits 1 only when a row is over --fail', async () => {
    const warn = await runCli(['lag', '@bank', '--warn', '5', '--fail', '100', '--json'], { cwd: demo })
    expect(warn.code).toBe(0)
    expect(byName(parse(warn.stdout), 'account_view')).toMatchObject({ status: 'WARN', reason: '6 events behind, over --warn 5' })

    const fail = await runCli(['lag', '@bank', '--fail', '5'], { cwd: demo })
    expect(fail.code).toBe(1)
    expect(fail.stdout).toMatch(/account_view\s+FAIL\s+mt_event_progression\s+388\s+394\s+6/)
    expect(fail.stdout).toMatch(/notifications\s+OK/)
    expect(fail.stdout).toContain('FAIL account_view: 6 events behind, over --fail 5')

    // The demo's oldest unprocessed event is days old.
    const byAge = await runCli(['lag', '@bank', '--fail', '1h', '--json'], { cwd: demo })
    expect(byAge.code).toBe(1)
    expect(byName(parse(byAge.stdout), 'account_view').reason).toMatch(/^oldest unprocessed event \d+d( \d+h)? old, over --fail 1h$/)

    expect((await runCli(['lag', '@bank', '--fail', '6'], { cwd: demo })).code).toBe(0)
  })
})

describe('rewind lag: bad input (exit 2, one line)', () => {
  it.each([
    [['lag', 'plain.db'], /^rewind: .*plain\.db: no checkpoint table found \(looked for emt_processors\(processor_id, last_processed_checkpoint\), emt_subscriptions\(subscription_id, last_processed_position\), tracking\(application_name, notification_id\), mt_event_progression\(name, last_seq_id\)\); name yours with --checkpoints TABLE --name-column C --position-column C$/],
    [['lag', 'plain.db', '--checkpoints', 'offsets'], /^rewind: .*plain\.db: no table "offsets" for --checkpoints \(tables: events\)$/],
    [['lag', '@bank', '--fail', 'soon'], /^rewind: --fail "soon": expected a number of events \(e\.g\. 1000\) or a duration/],
    [['lag', '@bank', '--projection', 'nightly'], /^rewind: .*bank\.db: no checkpoint matches --projection nightly \(checkpoints: account_view, notifications\)$/],
    [['lag', '@bank', '--group', 'billing'], /^rewind: --group is for Kafka consumer groups/],
    [['lag', '@bank', '--watch', '--interval', 'often'], /^rewind: --interval "often": expected a duration/],
  ])('%j', async (args, message) => {
    const plain = join(demo, 'plain.db')
    const db = new Database(plain)
    db.exec('CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT)')
    db.close()
    const result = await runCli(args, { cwd: demo })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr.trim()).toMatch(message)
  })

  it('a broker that does not answer: exit 2 within the timeout, naming the brokers', async () => {
    const result = await runCli(['lag', 'kafka://127.0.0.1:1', '--timeout', '2s'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^rewind: kafka 127\.0\.0\.1:1: /)
  })
})

describe('rewind lag --watch without a terminal', () => {
  it('prints one line per interval, follows the checkpoint as it moves, and exits 0 on Ctrl-C', async () => {
    const dir = await makeDemo()
    const child = spawn(process.execPath, [BIN, 'lag', '@bank', '--watch', '--interval', '200ms', '--window', '1m'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    const until = async (test: () => boolean) => {
      while (!test()) await new Promise((r) => setTimeout(r, 50))
    }
    await until(() => stdout.split('\n').length > 2)
    const first = stdout.split('\n')[0]
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ account_view lag=6 age=\d+d(\d+h)? status=STOPPED \(checkpoint not updated for \d+d( \d+h)?\); notifications lag=0 age=0s status=OK$/)

    // The projection catches up: the next lines say so.
    const db = new Database(join(dir, 'bank.db'))
    db.prepare(`UPDATE mt_event_progression SET last_seq_id = 394, last_updated = ? WHERE name = 'account_view'`).run(new Date().toISOString())
    db.close()
    await until(() => /account_view lag=0 age=0s rate=[\d.]+\/s trend=shrinking\(-[\d.]+\/s\) status=OK/.test(stdout))

    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(stderr).toBe('')
    expect(stdout.endsWith('\n')).toBe(true)
  })

  it('--json: one JSON document per interval', async () => {
    const child = spawn(process.execPath, [BIN, 'lag', '@bank', '--watch', '--interval', '200ms', '--json'], { cwd: demo })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    while (stdout.split('\n').length < 3) await new Promise((r) => setTimeout(r, 50))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    const docs = stdout.trim().split('\n').map((line) => JSON.parse(line))
    expect(docs.length).toBeGreaterThanOrEqual(2)
    expect(docs[1]).toMatchObject({ head: { position: 394 }, projections: [{ name: 'account_view', lagEvents: 6, status: 'STOPPED' }, { name: 'notifications', lagEvents: 0, status: 'OK' }] })
  })
})
