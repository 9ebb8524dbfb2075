// Issue #18, items 5, 6 and 15: user code that never returns, user code that lies, and reducer
// results shown as they are. Each test runs the built CLI on a small store with a hostile module.
import Database from 'better-sqlite3'
import { execFileSync, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, runCli, tempDir } from '../helpers.js'

let dir: string
let store: string

/** acc-1: opened (v1), then four deposits (v2-v5); acc-2: opened, one deposit with a note of 30 a's and a b. */
beforeAll(() => {
  dir = tempDir('rewind-hostile-code-')
  store = join(dir, 'events.db')
  const db = new Database(store)
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL,
    event_data TEXT NOT NULL, metadata TEXT NOT NULL, created_at TEXT NOT NULL)`)
  const insert = db.prepare('INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)')
  const rows: Array<[string, number, string, object]> = [
    ['acc-1', 1, 'AccountOpened', { owner: 'Ada' }],
    ['acc-1', 2, 'MoneyDeposited', { amount: 10 }],
    ['acc-1', 3, 'MoneyDeposited', { amount: 20 }],
    ['acc-2', 1, 'AccountOpened', { owner: 'Bob' }],
    ['acc-1', 4, 'MoneyDeposited', { amount: 30 }],
    ['acc-2', 2, 'MoneyDeposited', { amount: 5, note: `${'a'.repeat(30)}b` }],
    ['acc-1', 5, 'MoneyDeposited', { amount: 40 }],
  ]
  rows.forEach(([stream, version, type, data], i) => insert.run(stream, version, type, JSON.stringify(data), '{}', `2026-11-02 08:00:0${i}`))
  db.close()
})

/** Writes a user module into the test directory and returns its path. */
function module(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

/** Code that says it started looping (on stderr), then never returns. */
const LOOP = `process.stderr.write('looping\\n'); for (;;) {}`

/**
 * Runs rewind until its stderr says "looping", then sends Ctrl-C (SIGINT) and waits for it to
 * exit. Without a fix the process never exits: the bound is a kill, not a timing assert.
 */
function interruptWhenLooping(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let stdout = ''
    let sent = false
    const kill = setTimeout(() => child.kill('SIGKILL'), 40_000)
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk
      if (!sent && stderr.includes('looping')) {
        sent = true
        // Give the loop a moment to be well under way.
        setTimeout(() => child.kill('SIGINT'), 200)
      }
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(kill)
      resolve({ code, signal, stderr: stderr.replace('looping\n', ''), stdout })
    })
  })
}

describe('user code that never returns: Ctrl-C stops it and names what ran', () => {
  it('a reducer that loops on one event: state exits 130 naming the module and the event', async () => {
    const reducer = module('loop-on-event.mjs', `export default (s = {}, e) => { if (e.version === 3) { ${LOOP} } return { ...s, ...e.data } }`)
    const result = await interruptWhenLooping(['state', store, 'acc-1', '--reducer', reducer])
    expect(result.code).toBe(130)
    expect(result.stderr).toMatch(/^rewind: stopped by Ctrl-C: .*loop-on-event\.mjs was folding event at position 3 \(MoneyDeposited, acc-1 v3\)\n$/)
  })

  it('the same reducer in replay', async () => {
    const reducer = module('loop-in-replay.mjs', `export default (s = {}, e) => { if (e.version === 3) { ${LOOP} } return s }`)
    const result = await interruptWhenLooping(['replay', store, '--reducer', reducer, '--format', 'ndjson'])
    expect(result.code).toBe(130)
    expect(result.stderr).toMatch(/^rewind: stopped by Ctrl-C: .*loop-in-replay\.mjs was folding event at position 3 \(MoneyDeposited, acc-1 v3\)\n$/)
  })

  it('the same reducer in replay --workers 2: the main thread ends the threads and names where each was', async () => {
    const reducer = module('loop-in-threads.mjs', `export default (s = {}, e) => { if (e.version === 3) { ${LOOP} } return s }`)
    const result = await interruptWhenLooping(['replay', store, '--reducer', reducer, '--workers', '2', '--format', 'ndjson'])
    expect(result.code).toBe(130)
    expect(result.stderr).toMatch(/^rewind: stopped by Ctrl-C: .*loop-in-threads\.mjs was folding event at position 3 \(MoneyDeposited, acc-1 v3\).* \(in (a worker thread|worker threads)\)\n$/)
  })

  it('a reducer whose top level never ends (ES module and TypeScript)', async () => {
    for (const name of ['loop-at-import.mjs', 'loop-at-import.ts']) {
      const reducer = module(name, `${LOOP}\nexport default (s${name.endsWith('.ts') ? ': unknown' : ''}) => s\n`)
      const result = await interruptWhenLooping(['state', store, 'acc-1', '--reducer', reducer])
      expect(result.code).toBe(130)
      expect(result.stderr).toMatch(new RegExp(`^rewind: stopped by Ctrl-C: .*${name.replace('.', '\\.')} was still running its top-level code \\(loading the reducer\\)\\n$`))
    }
  })

  it('an upcaster that loops on one event: tail and upcast run exit 130 naming the upcaster and the event', async () => {
    const upcasters = module('loop-up.mjs', `export default [{ type: 'MoneyDeposited', from: 1, to: 2, up: (e) => { if (e.version === 4) { ${LOOP} } return e } }]`)
    for (const args of [['tail', store, '--upcasters', upcasters], ['upcast', 'run', store, '--upcasters', upcasters]]) {
      const result = await interruptWhenLooping(args)
      expect(result.code).toBe(130)
      expect(result.stderr).toMatch(/^rewind: stopped by Ctrl-C: upcaster loop-up\.mjs #1 \(MoneyDeposited v1->v2\) was lifting event at position 5 \(MoneyDeposited, acc-1 v4\)\n$/)
    }
  })
})

describe('matches() on store data runs in linear time', () => {
  it('a catastrophic pattern over a stored value answers (JavaScript regexes took minutes)', async () => {
    const result = await runCli(['tail', store, '--where', 'matches(data.note, "(a+)+$")', '--format', 'ndjson'], { timeoutMs: 30_000 })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    const hit = await runCli(['tail', store, '--where', 'matches(data.note, "^(a+)+b$")', '--format', 'ndjson'])
    expect(hit.stdout.trim().split('\n').map((line) => JSON.parse(line).stream)).toEqual(['acc-2'])
  })

  it('a pattern RE2 cannot run in linear time (a backreference) is exit 2 naming the pattern', async () => {
    const result = await runCli(['tail', store, '--where', 'matches(stream, "(a)\\\\1")'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('invalid regular expression "(a)\\\\1": invalid escape sequence')
    expect(result.stderr).toContain('RE2 syntax')
  })

  it('a pattern read from the data that does not compile is exit 2 naming it', async () => {
    const result = await runCli(['tail', store, '--where', 'matches(stream, data.owner + "(")'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: matches\(\): invalid regular expression "Ada\(": missing closing \)/)
  })
})

describe('user code that lies: exit 2 naming the module, the event and what to change', () => {
  it('an async reducer', async () => {
    const reducer = module('async.mjs', 'export default async (s = {}, e) => ({ ...s, ...e.data })')
    const result = await runCli(['state', store, 'acc-1', '--reducer', reducer])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`rewind: ${reducer} returned a Promise for event at position 1 (AccountOpened, acc-1 v1): a reducer must return the next state synchronously; remove "async" and "await" from it\n`)
    const json = await runCli(['state', store, 'acc-1', '--reducer', reducer, '--json'])
    expect(JSON.parse(json.stdout).error.message).toContain('returned a Promise for event at position 1')
  })

  it('a reducer that calls process.exit(0), in one thread and in worker threads', async () => {
    const reducer = module('exits.mjs', 'export default (s = {}, e) => { if (e.version === 2) process.exit(0); return s }')
    const result = await runCli(['state', store, 'acc-1', '--reducer', reducer])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`rewind: ${reducer} called process.exit(0) on event at position 2 (MoneyDeposited, acc-1 v2): a reducer must return the next state, not end the process; remove the call\n`)
    const threads = await runCli(['replay', store, '--reducer', reducer, '--workers', '2', '--json'])
    expect(threads.code).toBe(2)
    expect(JSON.parse(threads.stdout).error.message).toMatch(/exits\.mjs called process\.exit\(0\) on event at position \d \(MoneyDeposited, acc-\d v2\)/)
  })

  it('a state with a cycle: state, state --trace and replay name it; --json is an error document', async () => {
    const reducer = module('cycle.mjs', 'export default (s = {}, e) => { const next = { ...s, ...e.data }; next.self = next; return next }')
    for (const args of [['state', store, 'acc-1'], ['state', store, 'acc-1', '--trace'], ['replay', store, '--format', 'ndjson']]) {
      const result = await runCli([...args, '--reducer', reducer])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^rewind: .*cycle\.mjs returned a state with a cycle.* event at position \d.*: state\.self refers back to an object that contains it \(a circular reference\), which JSON cannot show: return plain data/)
      const json = await runCli([...args, '--reducer', reducer, '--json'])
      expect(json.code).toBe(2)
      expect(JSON.parse(json.stdout).error.message).toContain('returned a state with a cycle')
    }
  })

  it('a BigInt in the state is printed exactly, as digits, in text and in --json', async () => {
    const reducer = module('bigint.mjs', 'export default (s = { total: 0n }, e) => ({ total: s.total + 9007199254740993n })')
    const text = await runCli(['state', store, 'acc-1', '--reducer', reducer])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('"total": 45035996273704965')
    const json = await runCli(['state', store, 'acc-1', '--reducer', reducer, '--json'])
    expect(json.code).toBe(0)
    expect(json.stdout).toContain('"total": 45035996273704965')
    const replay = await runCli(['replay', store, '--reducer', reducer, '--format', 'ndjson'])
    expect(replay.stdout).toContain('{"stream":"acc-1","version":5,"state":{"total":45035996273704965}}')
  })
})

describe('reducer results as they are', () => {
  it('a reducer that returns undefined keeps "state" in --json, as null, with a warning', async () => {
    const reducer = module('forgets-return.mjs', 'export default (s = {}, e) => { s = { ...s, ...e.data } }')
    const result = await runCli(['state', store, 'acc-1', '--reducer', reducer, '--json'])
    expect(result.code).toBe(0)
    const doc = JSON.parse(result.stdout)
    expect(doc).toHaveProperty('state', null)
    expect(doc.warnings).toContain(`${reducer} returned undefined for event at position 7 (MoneyDeposited, acc-1 v5): the state is null (does a handler miss a "return"?)`)
    const replay = await runCli(['replay', store, '--reducer', reducer, '--json'])
    expect(JSON.parse(replay.stdout).states).toEqual({ 'acc-1': null, 'acc-2': null })
  })

  it('--trace shows each event as stored when the reducer changes its argument, and warns naming the module and the event', async () => {
    const reducer = module('mutates.mjs', 'export default (s = {}, e) => { e.type = "X"; e.data.amount = 0; return { ...s, last: e.type } }')
    const result = await runCli(['state', store, 'acc-1', '--reducer', reducer, '--trace', '--json'])
    expect(result.code).toBe(0)
    const doc = JSON.parse(result.stdout)
    expect(doc.trace.map((row: { type: string }) => row.type)).toEqual(['AccountOpened', 'MoneyDeposited', 'MoneyDeposited', 'MoneyDeposited', 'MoneyDeposited'])
    // The reducer still sees what it wrote: it was given copies.
    expect(doc.state).toEqual({ last: 'X' })
    expect(doc.warnings).toContain(`${reducer} changed event at position 1 (AccountOpened, acc-1 v1) and 4 more: events are read-only, so it was given copies and the output shows the events as stored; copy before changing (e.g. { ...event.data })`)
    const text = await runCli(['state', store, 'acc-1', '--reducer', reducer, '--trace'])
    expect(text.stdout).not.toMatch(/\bX\b.*last/)
    expect(text.stdout).toMatch(/v2 .* MoneyDeposited/)
    expect(text.stderr).toMatch(/^warning: .*mutates\.mjs changed event at position 1 \(AccountOpened, acc-1 v1\) and 4 more/m)
  })
})

describe('state -i with a reducer that never returns', () => {
  // A private tmux server, as in test/interactive.test.ts.
  const socket = join(tempDir('rewind-tmux-'), 'tmux.sock')
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' })
  const screen = (session: string): string => tmux('capture-pane', '-p', '-J', '-t', session)
  async function waitFor(session: string, text: string): Promise<string> {
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      const now = screen(session)
      if (now.includes(text)) return now
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`screen never showed ${text}:\n${screen(session)}`)
  }
  afterAll(() => {
    try {
      tmux('kill-server')
    } catch {
      // no server was started
    }
    rmSync(dirname(socket), { recursive: true, force: true })
  })

  for (const [key, name, code] of [['q', 'q', 0], ['C-c', 'Ctrl-C', 130]] as const) {
    it(`${name} stops the folding thread and names the event it was folding`, async () => {
      const reducer = module(`loop-i-${code}.mjs`, `export default (s = {}, e) => { if (e.version === 3) { ${LOOP} } return { ...s, ...e.data } }`)
      const session = `loop-${code}`
      const command = `env -u CI -u CONTINUOUS_INTEGRATION NO_COLOR=1 '${process.execPath}' '${BIN}' state '${store}' acc-1 -i --reducer '${reducer}'; echo EXITED=$?; sleep 60`
      tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '20', '-c', dir, command)
      await waitFor(session, 'looping')
      tmux('send-keys', '-t', session, key)
      const after = await waitFor(session, 'EXITED=')
      expect(after).toContain(`EXITED=${code}`)
      expect(after).toContain(`rewind: stopped by ${name}: ${reducer} was folding event at position 3 (MoneyDeposited, acc-1 v3) in the folding thread`)
    })
  }
})
