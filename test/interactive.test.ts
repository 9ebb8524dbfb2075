// `rewind state SOURCE STREAM -i` in a real pseudo-terminal: tmux runs the built CLI on the demo
// store, the test types keys and reads the screen with capture-pane.
import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, makeDemo, runCli, tempDir } from './helpers.js'

// A private tmux server, so the test never touches the user's sessions.
const SOCKET = join(tempDir('rewind-tmux-'), 'tmux.sock')
const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', SOCKET, ...args], { encoding: 'utf8' })
const screen = (session: string): string => tmux('capture-pane', '-p', '-t', session)

/**
 * The screen once it shows `text` and has stopped changing: tmux may show a frame half drawn
 * (the title line new, the rows below not yet).
 */
async function waitForScreen(session: string, text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    const now = screen(session)
    if ((typeof text === 'string' ? now.includes(text) : text.test(now)) && now === last) return now
    last = now
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`screen never showed ${String(text)}; last screen:\n${last}`)
}

/** Starts `rewind ARGS` in a 100x30 terminal; the shell prints EXITED=<code> when it ends. */
function start(session: string, cwd: string, args: string[]): void {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  // ink renders only the last frame when it thinks it runs in CI.
  const command = `env -u CI -u CONTINUOUS_INTEGRATION NO_COLOR=1 '${process.execPath}' '${BIN}' ${quoted}; echo EXITED=$?; sleep 120`
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', cwd, command)
}

const keys = (session: string, ...list: string[]) => tmux('send-keys', '-t', session, ...list)
const typeText = (session: string, text: string) => tmux('send-keys', '-t', session, '-l', text)
const alternateScreen = (session: string) => tmux('display-message', '-p', '-t', session, '#{alternate_on}').trim()
const selectedRow = (text: string) => text.split('\n').find((line) => line.includes('▶')) ?? ''

let demo: string

beforeAll(async () => {
  demo = await makeDemo()
})

afterAll(() => {
  try {
    tmux('kill-server')
  } catch {
    // no server was started
  }
  rmSync(dirname(SOCKET), { recursive: true, force: true })
})

describe('state --interactive in a terminal', () => {
  it('opens on the last event, steps, searches, breaks, jumps to a time, and quits restoring the screen', async () => {
    const s = 'walk'
    start(s, demo, ['state', '@bank', 'acc-07', '-i'])
    let view = await waitForScreen(s, 'rewind state acc-07  v38 · 38 of 38')
    expect(alternateScreen(s)).toBe('1')
    expect(selectedRow(view)).toMatch(/▶ v38 +11-07 03:23:45 MoneyDeposited/)
    expect(view).toContain('state after v38: 2 fields changed')
    expect(view).toContain('~ balance: 4025 -> 4118')
    expect(view).toContain('! 1 event with warnings')

    keys(s, 'Left')
    view = await waitForScreen(s, 'v37 · 37 of 38')
    expect(view).toContain('~ balance: 3706 -> 4025')

    keys(s, 'g')
    view = await waitForScreen(s, 'v1 · 1 of 38')
    expect(view).toContain('~ owner: null -> "Margaret Hamilton"')

    // The duplicate deposit: the search finds the first copy, n the second, which carries the warning.
    keys(s, '/')
    typeText(s, 'evt-xg-cohaet')
    keys(s, 'Enter')
    view = await waitForScreen(s, 'v15 · 15 of 38')
    keys(s, 'n')
    view = await waitForScreen(s, 'v16 · 16 of 38')
    expect(selectedRow(view)).toMatch(/▶!v16 /)
    expect(view).toContain('! duplicate eventId evt-xg-cohaet')
    expect(view).toContain('~ balance: 1457 -> 1574')

    keys(s, 'g', 'b')
    typeText(s, 'state.balance > 1000')
    keys(s, 'Enter')
    view = await waitForScreen(s, 'break: state.balance > 1000 at v9')
    expect(view).toContain('~ balance: 821 -> 1058')

    keys(s, 't')
    typeText(s, '2026-11-03T12:00')
    keys(s, 'Enter')
    view = await waitForScreen(s, 'v7 · 7 of 38')
    expect(view).toContain('v7: the last event at or before 2026-11-03T12:00:00.000Z')

    keys(s, 'PgDn')
    await waitForScreen(s, 'v17 · 17 of 38')
    keys(s, '?')
    await waitForScreen(s, 'breakpoint: next event where the expression')
    keys(s, 'Escape')
    await waitForScreen(s, 'state after v17')

    keys(s, 'q')
    view = await waitForScreen(s, 'EXITED=0')
    expect(view).not.toContain('rewind state acc-07')
    expect(alternateScreen(s)).toBe('0')
  })

  it('starts at --version and quits on Ctrl-C with the terminal restored', async () => {
    const s = 'ctrlc'
    start(s, demo, ['state', '@bank', 'acc-07', '-i', '--version', '12'])
    const view = await waitForScreen(s, 'v12 · 12 of 38')
    expect(view).toContain('the reducer ignores StatementSent')
    keys(s, 'C-c')
    const after = await waitForScreen(s, 'EXITED=0')
    expect(after).not.toContain('rewind state acc-07')
    expect(alternateScreen(s)).toBe('0')
  })

  it('opens a long stream folded in a thread: warnings marked, state at the end, search; a bad row is one line and exit 2', async () => {
    const dir = tempDir()
    const file = join(dir, 'long.db')
    const db = new Database(file)
    db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, version INTEGER, event_type TEXT, event_data TEXT, metadata TEXT, created_at TEXT);
      CREATE INDEX events_stream ON events (stream_id, version)`)
    const insert = db.prepare('INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) {
        const time = new Date(Date.parse('2026-03-01T00:00:00Z') + i * 1000).toISOString().replace('T', ' ').replace('Z', '')
        insert.run('acc-long', i + 1, i === 0 ? 'AccountOpened' : 'MoneyDeposited', i === 0 ? '{"owner":"Ada"}' : `{"amount":${i % 10},"ref":"r-${i}"}`, JSON.stringify({ eventId: i === 4990 ? 'e-17' : `e-${i}` }), time)
      }
    })()
    db.close()
    writeFileSync(join(dir, 'reducer.mjs'), `export default { init: () => ({ balance: 0 }), on: {
      AccountOpened: (s, e) => ({ ...s, owner: e.data.owner }),
      MoneyDeposited: (s, e) => ({ ...s, balance: s.balance + e.data.amount }) } }`)
    const s = 'long'
    start(s, dir, ['state', 'long.db', 'acc-long', '-i', '--reducer', 'reducer.mjs'])
    let view = await waitForScreen(s, 'v5000 · 5000 of 5000')
    expect(view).toContain('! 1 event with warnings')
    expect(view).toMatch(/balance: 22491 -> 22500/)
    expect(view).toMatch(/! ?v4991 .*MoneyDeposited/)
    typeText(s, '/r-2500')
    keys(s, 'Enter')
    view = await waitForScreen(s, 'v2501 · 2501 of 5000')
    expect(selectedRow(view)).toMatch(/▶ v2501 /)
    expect(view).toContain('state after v2501')
    keys(s, 'q')
    await waitForScreen(s, 'EXITED=0')

    const bad = new Database(file)
    bad.exec(`UPDATE events SET event_data = '{"amount": 1' WHERE id = 3000`)
    bad.close()
    const b = 'long-bad'
    start(b, dir, ['state', 'long.db', 'acc-long', '-i', '--reducer', 'reducer.mjs'])
    view = await waitForScreen(b, 'EXITED=2')
    // One line, which the 100-column terminal wraps.
    expect(view.replaceAll('\n', '')).toMatch(/rewind: long\.db: events row at position 3000: .*not valid JSON.*--skip-invalid skips such rows with a warning *EXITED=2/)
    expect(view).not.toMatch(/^\s+at /m)
  })

  it('leaves the alternate screen when killed', async () => {
    const s = 'killed'
    start(s, demo, ['state', '@bank', 'acc-07', '-i'])
    await waitForScreen(s, 'v38 · 38 of 38')
    const shell = tmux('display-message', '-p', '-t', s, '#{pane_pid}').trim()
    const node = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]
    process.kill(Number(node), 'SIGTERM')
    const after = await waitForScreen(s, 'EXITED=143')
    expect(after).not.toContain('rewind state acc-07')
    expect(alternateScreen(s)).toBe('0')
  })
})

describe('state --interactive without a terminal', () => {
  it('refuses in one line pointing to --trace, exit 2', async () => {
    const demoDir = await makeDemo()
    const piped = await runCli(['state', '@bank', 'acc-07', '-i'], { cwd: demoDir })
    expect(piped.code).toBe(2)
    expect(piped.stdout).toBe('')
    expect(piped.stderr).toBe('rewind: --interactive needs a terminal; use --trace to print every event and the fields it changed\n')

    const json = await runCli(['state', '@bank', 'acc-07', '--interactive', '--json'], { cwd: demoDir })
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error.message).toContain('cannot be used with --json; use --trace')
    expect(json.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('plain state never loads ink or React', async () => {
    const hooks = join(tempDir(), 'no-ink.mjs')
    const resolveHook = `export async function resolve(specifier, context, next) {
      if (/^(ink|react)(\\/|$)/.test(specifier)) throw new Error('loaded ' + specifier)
      return next(specifier, context)
    }`
    writeFileSync(hooks, `import { register } from 'node:module'\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolveHook)}))\n`)
    const result = await runCli(['state', '@bank', 'acc-07', '--json'], { cwd: demo, env: { NODE_OPTIONS: `--import=${hooks}` } })
    expect(result.stderr).not.toContain('loaded')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).state.balance).toBe(4118)
  })
})
