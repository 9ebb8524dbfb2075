import Database from 'better-sqlite3'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli, tempDir } from './helpers.js'

let demo: string
beforeAll(async () => {
  demo = await makeDemo()
})

const DIFF = ['diff', '@bank', '--projection', 'sqlite:read.db#account_view', '--key', 'account_id']

interface DiffJson {
  compared: number
  matched: number
  drifted: Array<{ key: string; fields: Array<{ field: string; projection: unknown; replay: unknown }>; explanation?: string }>
  missing: string[]
  extra: string[]
}

/** The event the demo's projector applied twice: acc-03's fifth deposit. */
function doubledDeposit(dir: string): { version: number; amount: number; eventId: string } {
  const db = new Database(join(dir, 'bank.db'), { readonly: true })
  const row = db.prepare(`SELECT version, event_data, metadata FROM events WHERE stream_id = 'acc-03' AND event_type = 'MoneyDeposited' ORDER BY version LIMIT 1 OFFSET 4`).get() as { version: number; event_data: string; metadata: string }
  db.close()
  const amount = JSON.parse(row.event_data).amount
  return { version: row.version, amount: typeof amount === 'number' ? amount : amount.value, eventId: JSON.parse(row.metadata).eventId }
}

/** Streams with events after the account_view checkpoint, with the version the projection stopped at and the head version. */
function laggingStreams(dir: string): Map<string, { stopped: number; head: number }> {
  const db = new Database(join(dir, 'bank.db'), { readonly: true })
  const checkpoint = db.prepare(`SELECT last_seq_id FROM mt_event_progression WHERE name = 'account_view'`).pluck().get() as number
  const rows = db.prepare(`SELECT stream_id, min(version) - 1 AS stopped, max(version) AS head FROM events WHERE id > ? GROUP BY stream_id`).all(checkpoint) as Array<{ stream_id: string; stopped: number; head: number }>
  db.close()
  return new Map(rows.map((r) => [r.stream_id, { stopped: r.stopped, head: r.head }]))
}

describe('rewind diff on the demo', () => {
  it('--at-checkpoint: reports exactly acc-03 drifted, explained as one deposit applied twice, and exits 1', async () => {
    const result = await runCli([...DIFF, '--at-checkpoint', 'account_view', '--json'], { cwd: demo })
    expect(result.code).toBe(1)
    const out = JSON.parse(result.stdout) as DiffJson
    const doubled = doubledDeposit(demo)
    expect(out).toMatchObject({ compared: 12, matched: 11, missing: [], extra: [] })
    expect(out.drifted.map((d) => d.key)).toEqual(['acc-03'])
    const [row] = out.drifted
    expect(row.fields.map((f) => f.field)).toEqual(['balance', 'deposits'])
    const balance = row.fields[0]
    expect(Number(balance.projection) - Number(balance.replay)).toBe(doubled.amount)
    expect(row.explanation).toContain(`event ${doubled.version} (MoneyDeposited, amount.value ${doubled.amount}`)
    expect(row.explanation).toContain(`eventId ${doubled.eventId}`)
    expect(row.explanation).toMatch(/looks applied twice$/)
  })

  it('without --at-checkpoint: also reports the lagging rows, each as missing the events after its version', async () => {
    const result = await runCli([...DIFF, '--json'], { cwd: demo })
    expect(result.code).toBe(1)
    const out = JSON.parse(result.stdout) as DiffJson
    const lagging = laggingStreams(demo)
    expect(lagging.size).toBeGreaterThan(0)
    expect(out.drifted.map((d) => d.key)).toEqual(['acc-03', ...lagging.keys()].sort())
    for (const [stream, { stopped, head }] of lagging) {
      const row = out.drifted.find((d) => d.key === stream)!
      expect(row.fields).toContainEqual({ field: 'version', projection: stopped, replay: head })
      expect(row.explanation).toMatch(new RegExp(`^the projection matches version ${stopped} of ${head}: it missed event`))
    }
    expect(out.drifted.find((d) => d.key === 'acc-03')!.explanation).toMatch(/looks applied twice$/)
    expect(out.matched + out.drifted.length).toBe(out.compared)
  })

  it('prints a readable report: what was compared, what was not (once), each drift and the counts', async () => {
    const result = await runCli([...DIFF, '--at-checkpoint', 'account_view'], { cwd: demo })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('not compared (no counterpart in the replay): updated_at')
    expect(result.stdout.match(/updated_at/g)).toHaveLength(1)
    expect(result.stdout).toMatch(/compared: owner, currency, balance, deposits, withdrawals, version \(stream version\)/)
    expect(result.stdout).toMatch(/drifted acc-03\n\s+FIELD\s+PROJECTION\s+REPLAY\n\s+balance\s+\d+\s+\d+\n\s+deposits\s+\d+\s+\d+\n\s+why: event \d+ \(MoneyDeposited/)
    expect(result.stdout).toMatch(/12 compared: 11 matched, 1 drifted, 0 missing, 0 extra\s*$/)
  })

  it('--reporter junit: one test case per key, the drifted one failing with its explanation', async () => {
    const result = await runCli([...DIFF, '--at-checkpoint', 'account_view', '--reporter', 'junit'], { cwd: demo })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^<\?xml/)
    expect(result.stdout).toMatch(/<testsuite name="rewind diff account_view" tests="12" failures="1"/)
    expect(result.stdout).toMatch(/<testcase classname="rewind diff account_view" name="acc-03">\s*<failure message="drifted: balance, deposits; event \d+ \(MoneyDeposited[^"]*looks applied twice" type="drift">/)
    expect(result.stdout.match(/<testcase /g)).toHaveLength(12)
  })

  it('exits 0 on a read model written by replay --out, and finds a planted change in its JSON state column', async () => {
    const dir = tempDir()
    const out = join(dir, 'rebuilt.db')
    expect((await runCli(['replay', '@bank', '--out', `sqlite:${out}#accounts`], { cwd: demo })).code).toBe(0)
    const equal = await runCli(['diff', '@bank', '--projection', `sqlite:${out}#accounts`, '--key', 'key', '--json'], { cwd: demo })
    expect(equal.code).toBe(0)
    expect(JSON.parse(equal.stdout)).toEqual({ compared: 12, matched: 12, drifted: [], missing: [], extra: [] })

    const db = new Database(out)
    db.prepare(`UPDATE accounts SET state = json_set(state, '$.withdrawals', 999) WHERE key = 'acc-05'`).run()
    db.prepare(`DELETE FROM accounts WHERE key = 'acc-09'`).run()
    db.prepare(`INSERT INTO accounts (key, version, state) VALUES ('acc-99', 1, '{}')`).run()
    db.close()
    const changed = await runCli(['diff', '@bank', '--projection', `sqlite:${out}#accounts`, '--key', 'key', '--json'], { cwd: demo })
    expect(changed.code).toBe(1)
    const report = JSON.parse(changed.stdout) as DiffJson
    expect(report.missing).toEqual(['acc-09'])
    expect(report.extra).toEqual(['acc-99'])
    expect(report.drifted).toHaveLength(1)
    expect(report.drifted[0].key).toBe('acc-05')
    expect(report.drifted[0].fields).toEqual([{ field: 'state.withdrawals', projection: 999, replay: expect.any(Number) }])
    expect(report.drifted[0].explanation).toMatch(/^no simple explanation/)
  })
})

describe('rewind diff on other layouts', () => {
  /** An Emmett-style store: streams "bankAccount-<id>", a projection keyed by the bare id, an emt_processors checkpoint. */
  function emmettStore(): string {
    const file = join(tempDir(), 'emmett.db')
    const db = new Database(file)
    db.exec(`
      CREATE TABLE emt_messages (stream_id TEXT NOT NULL, stream_position BIGINT NOT NULL, partition TEXT NOT NULL DEFAULT 'global',
        message_kind CHAR(1) NOT NULL DEFAULT 'E', message_data JSONB NOT NULL, message_metadata JSONB NOT NULL, message_schema_version TEXT NOT NULL,
        message_type TEXT NOT NULL, message_id TEXT NOT NULL, is_archived BOOLEAN NOT NULL DEFAULT FALSE, global_position INTEGER PRIMARY KEY,
        created DATETIME DEFAULT CURRENT_TIMESTAMP);
      CREATE TABLE emt_processors (processor_id TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, partition TEXT NOT NULL DEFAULT 'global',
        status TEXT NOT NULL DEFAULT 'stopped', last_processed_checkpoint TEXT NOT NULL, processor_instance_id TEXT DEFAULT 'emt:unknown');
      CREATE TABLE account_balances (account_id TEXT PRIMARY KEY, owner_name TEXT, balance REAL, status TEXT, version INTEGER, note TEXT);
    `)
    const insert = db.prepare(`INSERT INTO emt_messages (stream_id, stream_position, message_data, message_metadata, message_schema_version, message_type, message_id, created) VALUES (?, ?, ?, '{}', '1', ?, ?, '2026-11-25 10:00:00')`)
    const events: Array<[string, string, object]> = [
      ['a1', 'AccountOpened', { ownerName: 'Ada', balance: 0, status: 'open' }],
      ['a1', 'MoneyDeposited', { balance: 100.1 }],
      ['a2', 'AccountOpened', { ownerName: 'Alan', balance: 0, status: 'open' }],
      ['a1', 'MoneyDeposited', { balance: 150.1 }],
      ['a2', 'AccountFrozen', { status: 'frozen' }],
    ]
    const versions = new Map<string, number>()
    events.forEach(([id, type, data], i) => {
      const version = (versions.get(id) ?? 0) + 1
      versions.set(id, version)
      insert.run(`bankAccount-${id}`, version, JSON.stringify(data), type, `m${i}`)
    })
    // Another aggregate in the same store: not part of this projection.
    insert.run('customer-c1', 1, '{"name":"Ada"}', 'CustomerRegistered', 'm9')
    db.prepare(`INSERT INTO emt_processors (processor_id, last_processed_checkpoint) VALUES ('account_balances', '0000000000000000003')`).run()
    db.prepare(`INSERT INTO account_balances VALUES ('a1', 'Ada', 100.10000001, 'open', 2, 'vip'), ('a2', 'Alan', 0, 'open', 1, NULL)`).run()
    db.close()
    return file
  }

  it('--stream-id maps keys to stream ids, camelCase fields match snake_case columns, numbers compare within --tolerance', async () => {
    const store = emmettStore()
    const args = ['diff', store, '--projection', `sqlite:${store}#account_balances`, '--key', 'account_id', '--stream-id', 'bankAccount-{key}', '--tolerance', '0.001']
    const atCheckpoint = await runCli([...args, '--at-checkpoint', 'account_balances', '--json'])
    expect(atCheckpoint.stderr).toBe('')
    expect(atCheckpoint.code).toBe(0)
    expect(JSON.parse(atCheckpoint.stdout)).toEqual({ compared: 2, matched: 2, drifted: [], missing: [], extra: [] })

    const head = await runCli([...args, '--json'])
    expect(head.code).toBe(1)
    const out = JSON.parse(head.stdout) as DiffJson
    expect(out.drifted.map((d) => d.key)).toEqual(['a1', 'a2'])
    expect(out.drifted[0].explanation).toBe('the projection matches version 2 of 3: it missed event 3 (MoneyDeposited)')
    expect(out.drifted[1].fields).toEqual([{ field: 'status', projection: 'open', replay: 'frozen' }, { field: 'version', projection: 1, replay: 2 }])

    const text = await runCli([...args, '--at-checkpoint', 'account_balances'])
    expect(text.stdout).toContain('compared: owner_name (state.ownerName), balance, status, version (stream version)')
    expect(text.stdout).toContain('not compared (no counterpart in the replay): note')
  })

  it('--map and --ignore: a column compared with a state path, another left out', async () => {
    const store = emmettStore()
    const result = await runCli(['diff', store, '--projection', `sqlite:${store}#account_balances`, '--key', 'account_id', '--stream-id', 'bankAccount-{key}',
      '--at-checkpoint', 'account_balances', '--tolerance', '0.001', '--map', 'note=state.ownerName', '--ignore', 'status', '--json'])
    expect(result.code).toBe(1)
    const out = JSON.parse(result.stdout) as DiffJson
    expect(out.drifted.map((d) => [d.key, d.fields])).toEqual([
      ['a1', [{ field: 'note', projection: 'vip', replay: 'Ada' }]],
      ['a2', [{ field: 'note', projection: null, replay: 'Alan' }]],
    ])
  })
})

describe('rewind diff: what it cannot run on (exit 2, one line)', () => {
  it.each([
    [['--projection', 'sqlite:read.db#nope', '--key', 'account_id'], /^rewind: read\.db: no table "nope" \(tables: account_view\)$/],
    [['--projection', 'sqlite:read.db#account_view', '--key', 'id'], /^rewind: read\.db#account_view: no column "id" for --key \(columns: account_id, owner, .*updated_at\)$/],
    [['--projection', 'read.db', '--key', 'account_id'], /^rewind: --projection "read\.db": expected sqlite:FILE#TABLE/],
    [['--projection', 'sqlite:missing.db#account_view', '--key', 'account_id'], /^rewind: missing\.db: no such file/],
    [['--projection', 'sqlite:read.db#account_view', '--key', 'account_id', '--at-checkpoint', 'nightly'], /^rewind: no checkpoint "nightly" in read\.db and .*bank\.db; checkpoints there: account_view \(mt_event_progression\), notifications \(mt_event_progression\)$/],
    [['--projection', 'sqlite:read.db#account_view', '--key', 'account_id', '--map', 'balance'], /^rewind: --map "balance": expected COLUMN=state\.path/],
    [['--projection', 'sqlite:read.db#account_view', '--key', 'account_id', '--tolerance', 'tiny'], /^rewind: --tolerance "tiny": expected a number >= 0/],
  ])('%j', async (args, message) => {
    const result = await runCli(['diff', '@bank', ...args], { cwd: demo })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr.trim()).toMatch(message)
  })

  it('does not modify the read model file', async () => {
    const before = new Database(join(demo, 'read.db'), { readonly: true }).prepare('SELECT * FROM account_view ORDER BY account_id').all()
    await runCli([...DIFF, '--json'], { cwd: demo })
    expect(new Database(join(demo, 'read.db'), { readonly: true }).prepare('SELECT * FROM account_view ORDER BY account_id').all()).toEqual(before)
  })
})
