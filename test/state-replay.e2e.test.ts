import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, makeDemo, runCli, tempDir } from './helpers.js'

let demo: string
beforeAll(async () => {
  demo = await makeDemo()
})

const json = (text: string) => JSON.parse(text)

describe('rewind demo', () => {
  it('writes the store, read model, reducer, upcasters and config, and says what to try', async () => {
    const dir = tempDir()
    const result = await runCli(['demo', dir])
    expect(result.code).toBe(0)
    for (const file of ['bank.db', 'read.db', 'reducer.ts', 'upcasters.ts', '.rewindrc.json']) expect(existsSync(join(dir, file))).toBe(true)
    // Printed as this rewind runs from the demo's directory (here: the path to bin/run.js).
    expect(result.stdout).toMatch(/^  \S*(rewind|bin\/run\.js) state @bank acc-07 --trace$/m)
    // Again on its own demo: refreshed, exit 0 (issue #16, item 1).
    const again = await runCli(['demo', dir])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^Refreshed the demo in /)
  })

  it('is deterministic: two demos hold the same events', async () => {
    const other = await makeDemo()
    const dump = (dir: string) => new Database(join(dir, 'bank.db'), { readonly: true }).prepare('SELECT stream_id, version, event_type, event_data, metadata, created_at FROM events ORDER BY id').all()
    expect(dump(other)).toEqual(dump(demo))
  })
})

describe('rewind inspect', () => {
  it('reports preset, counts, time range, types x schema versions and checkpoints as JSON', async () => {
    const result = await runCli(['inspect', '@bank', '--json'], { cwd: demo })
    expect(result.code).toBe(0)
    const summary = json(result.stdout)
    expect(summary).toMatchObject({ kind: 'sqlite', preset: 'simple', streams: 12, firstPosition: 1, firstTime: '2026-11-02T08:00:00.000Z' })
    expect(summary.events).toBe(summary.lastPosition)
    expect(summary.types).toContainEqual({ type: 'MoneyDeposited', schemaVersion: 3, count: expect.any(Number) })
    expect(summary.types).toContainEqual({ type: 'FundsWithdrawn', schemaVersion: 1, count: expect.any(Number) })
    expect(summary.checkpoints.map((c: { name: string }) => c.name)).toEqual(['account_view', 'notifications'])
  })

  it('prints a readable summary on stdout', async () => {
    const result = await runCli(['inspect', join(demo, 'bank.db')])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/preset simple/)
    expect(result.stdout).toMatch(/events\s+\d+ in 12 streams/)
    expect(result.stdout).toMatch(/MoneyDeposited\s+v2\s+\d+/)
  })
})

describe('rewind state', () => {
  it('rebuilds an account with the reducer and upcasters from the config file, and warns about the duplicated deposit', async () => {
    const result = await runCli(['state', '@bank', 'acc-07', '--json'], { cwd: demo })
    expect(result.code).toBe(0)
    const out = json(result.stdout)
    expect(out).toMatchObject({ stream: 'acc-07', as: {}, state: { owner: 'Margaret Hamilton', currency: 'EUR' } })
    expect(out.events).toBe(out.version)
    expect(out.warnings.some((w: string) => /^duplicate eventId evt-.*: MoneyDeposited v\d+ \(position \d+\) and MoneyDeposited v\d+/.test(w))).toBe(true)
    expect(out.warnings).toContain('the reducer ignores StatementSent (3 events)')
    // The duplicate deposit is 117 and it is counted twice.
    const trace = json((await runCli(['state', '@bank', 'acc-07', '--trace', '--json'], { cwd: demo })).stdout).trace
    const deposits117 = trace.filter((row: { changes: Array<{ path: string; before: number; after: number }> }) => row.changes.some((c) => c.path === 'balance' && c.after - c.before === 117))
    expect(deposits117).toHaveLength(2)
    expect(deposits117[0].warnings).toBeUndefined()
    expect(deposits117[1].warnings[0]).toMatch(/^duplicate eventId/)
  })

  it('--at, --version and --position rebuild earlier states; they are mutually exclusive', async () => {
    const full = json((await runCli(['state', '@bank', 'acc-07', '--trace', '--json'], { cwd: demo })).stdout)
    const fifth = full.trace[4]
    const byVersion = json((await runCli(['state', '@bank', 'acc-07', '--version', '5', '--json'], { cwd: demo })).stdout)
    const byPosition = json((await runCli(['state', '@bank', 'acc-07', '--position', String(fifth.position), '--json'], { cwd: demo })).stdout)
    const byTime = json((await runCli(['state', '@bank', 'acc-07', '--at', fifth.time, '--json'], { cwd: demo })).stdout)
    for (const out of [byVersion, byPosition, byTime]) {
      expect(out.version).toBe(5)
      expect(out.state).toEqual(byVersion.state)
    }
    expect(byTime.as).toEqual({ time: fifth.time })
    const both = await runCli(['state', '@bank', 'acc-07', '--version', '5', '--at', fifth.time], { cwd: demo })
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/^rewind: .*cannot also be provided when using|^rewind: --at and --version cannot be used together/m)
  })

  it('prints a trace with before -> after per event, and blame per field', async () => {
    const trace = await runCli(['state', '@bank', 'acc-03', '--trace'], { cwd: demo })
    expect(trace.code).toBe(0)
    expect(trace.stdout).toMatch(/^v1\s+2026-11-02T\S+\s+AccountOpened\s+owner: null -> "Grace Hopper"/m)
    expect(trace.stdout).toMatch(/MoneyDeposited\s+balance: \d+ -> \d+\s+deposits: \d+ -> \d+/)
    const blame = await runCli(['state', '@bank', 'acc-03', '--blame'], { cwd: demo })
    expect(blame.stdout).toMatch(/^owner\s+"Grace Hopper"\s+v1 AccountOpened @ 2026-11-02T/m)
    expect(blame.stdout).toMatch(/^balance\s+\d+\s+v\d+ Money(Deposited|Withdrawn) @/m)
  })

  it('--stop-when stops at the first event where the expression holds', async () => {
    const result = await runCli(['state', '@bank', 'acc-03', '--stop-when', 'state.balance > 1000', '--json'], { cwd: demo })
    const out = json(result.stdout)
    expect(out.state.balance).toBeGreaterThan(1000)
    const before = json((await runCli(['state', '@bank', 'acc-03', '--version', String(out.version - 1), '--json'], { cwd: demo })).stdout)
    expect(before.state.balance).toBeLessThanOrEqual(1000)
    expect(out.stoppedAt.version).toBe(out.version)
    const bad = await runCli(['state', '@bank', 'acc-03', '--stop-when', 'state.balance >'], { cwd: demo })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^rewind: invalid expression at column \d+/)
  })

  it('works without a reducer on a store with no config: the default merge fold', async () => {
    const dir = tempDir()
    const result = await runCli(['state', join(demo, 'bank.db'), 'acc-01', '--json', '--version', '1'], { cwd: dir })
    expect(json(result.stdout).state).toEqual({ owner: 'Ada Lovelace', currency: 'EUR' })
  })
})

describe('rewind replay', () => {
  it('rebuilds every account; JSON, ndjson and --out agree with state', async () => {
    const replay = json((await runCli(['replay', '@bank', '--json'], { cwd: demo })).stdout)
    expect(replay.streams).toBe(12)
    const one = json((await runCli(['state', '@bank', 'acc-05', '--json'], { cwd: demo })).stdout)
    expect(replay.states['acc-05']).toEqual(one.state)
    const ndjson = (await runCli(['replay', '@bank', '--format', 'ndjson'], { cwd: demo })).stdout.trim().split('\n').map(json)
    expect(ndjson).toHaveLength(12)
    expect(ndjson.find((l: { stream: string }) => l.stream === 'acc-05')).toEqual({ stream: 'acc-05', version: one.version, state: one.state })

    const out = join(tempDir(), 'rebuilt.db')
    const written = await runCli(['replay', '@bank', '--out', `sqlite:${out}#account_view`], { cwd: demo })
    expect(written.code).toBe(0)
    const row = new Database(out, { readonly: true }).prepare('SELECT * FROM account_view WHERE key = ?').get('acc-05') as Record<string, unknown>
    expect(row).toMatchObject({ key: 'acc-05', version: one.version, balance: one.state.balance, owner: one.state.owner })
    expect(json(row.state as string)).toEqual(one.state)
    const again = await runCli(['replay', '@bank', '--out', `sqlite:${out}#account_view`], { cwd: demo })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/table account_view exists; use --force/)
  })

  it('--at, --stream and --type filter; two or three workers print what one prints', async () => {
    const early = json((await runCli(['replay', '@bank', '--at', '2026-11-02T12:00', '--stream', 'acc-0[12]*', '--stream', 'acc-1?', '--json'], { cwd: demo })).stdout)
    expect(early.as).toEqual({ time: '2026-11-02T12:00:00.000Z' })
    for (const stream of Object.keys(early.states)) expect(stream).toMatch(/^acc-(1.|0\[12\].*)$|^acc-1\d$/)
    const single = json((await runCli(['replay', '@bank', '--json'], { cwd: demo })).stdout)
    const parallel = json((await runCli(['replay', '@bank', '--json', '--workers', '2'], { cwd: demo })).stdout)
    expect(parallel.states).toEqual(single.states)
    expect(parallel.events).toBe(single.events)
    // The same text too, streams in the same order: a diff of two runs shows nothing.
    for (const format of ['table', 'ndjson']) {
      const [one, three] = await Promise.all([runCli(['replay', '@bank', '--format', format], { cwd: demo }), runCli(['replay', '@bank', '--format', format, '--workers', '3'], { cwd: demo })])
      expect(three.stdout).toBe(one.stdout)
    }
    const deposits = json((await runCli(['replay', join(demo, 'bank.db'), '--type', 'AccountOpened', '--json'], { cwd: tempDir() })).stdout)
    expect(deposits.events).toBe(12)
  })

  it('refuses to write into the source store', async () => {
    const before = readFileSync(join(demo, 'bank.db'))
    const result = await runCli(['replay', '@bank', '--out', 'sqlite:bank.db#copy'], { cwd: demo })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/that is the source store; rewind never writes to it/)
    expect(readFileSync(join(demo, 'bank.db')).equals(before)).toBe(true)
  })
})

describe('bad input: one line, exit 2, no stack trace', () => {
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^rewind: /)
    expect(stderr).not.toMatch(/\n\s+at /)
  }

  it('a missing file is named and not created', async () => {
    const dir = tempDir()
    const result = await runCli(['inspect', join(dir, 'missing.db')])
    expect(result.code).toBe(2)
    oneLine(result.stderr)
    expect(result.stderr).toMatch(/missing\.db: no such file/)
    expect(existsSync(join(dir, 'missing.db'))).toBe(false)
  })

  it('a file that is not SQLite', async () => {
    const file = join(tempDir(), 'notes.db')
    writeFileSync(file, 'hello\n'.repeat(500))
    const result = await runCli(['state', file, 'acc-1'])
    expect(result.code).toBe(2)
    oneLine(result.stderr)
    expect(result.stderr).toMatch(/notes\.db: not a SQLite database/)
  })

  it('a database with no events table lists the tables and the mapping flags', async () => {
    const file = join(tempDir(), 'app.db')
    const db = new Database(file)
    db.exec('CREATE TABLE users (id INTEGER); CREATE TABLE orders (id INTEGER)')
    db.close()
    const result = await runCli(['inspect', file])
    expect(result.code).toBe(2)
    oneLine(result.stderr)
    expect(result.stderr).toMatch(/tables found: orders, users\); name the table and columns with --table, --stream-column/)
  })

  it('malformed JSON names the row; --skip-invalid counts it as a warning', async () => {
    const file = join(tempDir(), 'broken.db')
    const db = new Database(file)
    db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, event_type TEXT, event_data TEXT)')
    db.prepare('INSERT INTO events (stream_id, event_type, event_data) VALUES (?, ?, ?)').run('a', 'T', '{"n":1}')
    db.prepare('INSERT INTO events (stream_id, event_type, event_data) VALUES (?, ?, ?)').run('a', 'T', '{"n":')
    db.close()
    const result = await runCli(['state', file, 'a'])
    expect(result.code).toBe(2)
    oneLine(result.stderr)
    expect(result.stderr).toMatch(/broken\.db: events row at position 2: .*not valid JSON/)
    const skipped = await runCli(['state', file, 'a', '--skip-invalid', '--json'])
    expect(skipped.code).toBe(0)
    expect(json(skipped.stdout).state).toEqual({ n: 1 })
    expect(json(skipped.stdout).warnings[0]).toMatch(/^skipped an invalid row: .*row at position 2/)
    const text = await runCli(['state', file, 'a', '--skip-invalid'])
    expect(text.stderr).toMatch(/^warning: skipped an invalid row: .*row at position 2/m)
  })

  it('an unknown stream suggests similar ids', async () => {
    const result = await runCli(['state', '@bank', 'acc-7'], { cwd: demo })
    expect(result.code).toBe(2)
    oneLine(result.stderr)
    expect(result.stderr).toMatch(/no stream "acc-7"; did you mean acc-07/)
  })

  it('an unparsable or future time', async () => {
    for (const at of ['last tuesday', '2999-01-01']) {
      const result = await runCli(['state', '@bank', 'acc-01', '--at', at], { cwd: demo })
      expect(result.code).toBe(2)
      oneLine(result.stderr)
      expect(result.stderr).toMatch(/--at ".*" is (not a time|in the future).*accepted: ISO-8601/)
    }
  })

  it('a reducer that is missing, does not compile, or throws', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'broken.ts'), 'export default { on: { MoneyDeposited: (s, e) => { return s +* } } }\n')
    writeFileSync(join(dir, 'throws.mjs'), 'export default { init: () => ({}), on: { MoneyDeposited: () => { throw new Error("no amount") } } }\n')
    const store = join(demo, 'bank.db')
    const missing = await runCli(['state', store, 'acc-01', '--reducer', join(dir, 'nope.ts')], { cwd: dir })
    expect(missing.code).toBe(2)
    oneLine(missing.stderr)
    expect(missing.stderr).toMatch(/nope\.ts: no such reducer file/)
    const broken = await runCli(['state', store, 'acc-01', '--reducer', join(dir, 'broken.ts')], { cwd: dir })
    expect(broken.code).toBe(2)
    oneLine(broken.stderr)
    expect(broken.stderr).toMatch(/broken\.ts: the reducer does not load/)
    const throws = await runCli(['state', store, 'acc-01', '--reducer', join(dir, 'throws.mjs')], { cwd: dir })
    expect(throws.code).toBe(2)
    oneLine(throws.stderr)
    expect(throws.stderr).toMatch(/throws\.mjs threw on event at position \d+ \(MoneyDeposited, acc-01 v2\): no amount/)
  })

  it('DEBUG=rewind adds the stack', async () => {
    const result = await runCli(['state', '@bank', 'acc-7'], { cwd: demo, env: { DEBUG: 'rewind' } })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/\n\s+at /)
  })

  it('`| head -1` closes the pipe early without an EPIPE trace', async () => {
    const result = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn('bash', ['-c', `node ${BIN} replay @bank --format ndjson | head -1; exit \${PIPESTATUS[0]}`], { cwd: demo, env: { ...process.env, NO_COLOR: '1' } })
      let stderr = ''
      let stdout = ''
      child.stderr.on('data', (c) => (stderr += c))
      child.stdout.on('data', (c) => (stdout += c))
      child.on('close', (code) => resolve({ code, stderr, stdout }))
    })
    expect(result.stdout.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  it('Ctrl-C exits 130 without a stack trace', async () => {
    const result = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
      // A reducer that waits keeps the replay running until the signal arrives.
      const dir = tempDir()
      writeFileSync(join(dir, 'slow.mjs'), 'export default (s = {}) => { const end = Date.now() + 50; while (Date.now() < end); return s }\n')
      const child = spawn(process.execPath, [BIN, 'replay', join(demo, 'bank.db'), '--reducer', join(dir, 'slow.mjs')], { cwd: dir })
      let stderr = ''
      child.stderr.on('data', (c) => (stderr += c))
      setTimeout(() => child.kill('SIGINT'), 1500)
      child.on('close', (code, signal) => resolve({ code, signal, stderr }))
    })
    expect(result.code).toBe(130)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
