// Issue #18, items 1 and 2: store data never drives the user's terminal or a CI log. A store whose
// stream id, event type, field names, values, metadata and checkpoint name hold every class of
// control character goes through every command, report and view; the bytes written must hold no
// control sequence but rewind's own styling, and no line may start with what the store wrote.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, runCli, tempDir } from '../helpers.js'

/** One of each: OSC (title, clipboard), CSI (clear, cursor report), CR, BS, BEL, DEL, C1 CSI and NEL, bidi override and isolate, zero-width space, line separator, and newlines that forge workflow commands. */
const PAYLOAD = '\u001b]0;pwned\u0007\u001b]52;c;aGk=\u0007\u001b[6n\u001b[2J\r\b\u0001\u007f\u009b31m\u0085\u202e\u2066\u200b\u2028\n::error file=x::forged\n::add-mask::secret'
const STREAM = `acc-1${PAYLOAD}`
const TYPE = `Deposited${PAYLOAD}`
const FIELD = `note${PAYLOAD}`
const CHECKPOINT = `view${PAYLOAD}`

// Rewind's own styling: SGR only.
const SGR = /\u001b\[[0-9;]*m/g
// What must not reach a terminal raw (tab included: rewind writes none of its own here).
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g

/** Each unsafe character left once `allowed` sequences are taken out, with what surrounds it. */
function foreignControls(output: string, allowed: RegExp[] = []): string[] {
  let rest = output.replace(SGR, '')
  for (const pattern of allowed) rest = rest.replace(pattern, '')
  return [...rest.matchAll(UNSAFE)].map((m) => JSON.stringify(rest.slice(Math.max(0, m.index - 12), m.index + 12)))
}

/** Lines that begin with what the store wrote after one of its newlines. */
const forgedLines = (output: string) => output.split('\n').filter((line) => line.startsWith('::error file=x') || line.startsWith('::add-mask::'))

function expectSafe(output: string, allowed: RegExp[] = []) {
  expect(foreignControls(output, allowed)).toEqual([])
  expect(forgedLines(output)).toEqual([])
}

let dir: string
beforeAll(() => {
  dir = tempDir('rewind-hostile-')
  const db = new Database(join(dir, 'store.db'))
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, aggregate_id TEXT, event_type TEXT, event_data TEXT, metadata TEXT, created_at TEXT);
    CREATE TABLE tracking (application_name TEXT, notification_id INTEGER)`)
  const insert = db.prepare('INSERT INTO events (aggregate_id, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?)')
  // The same eventId twice: the duplicate warning quotes it.
  insert.run(STREAM, TYPE, JSON.stringify({ amount: 5, [FIELD]: `v${PAYLOAD}` }), JSON.stringify({ eventId: `e${PAYLOAD}` }), '2026-01-01T00:00:00Z')
  insert.run(STREAM, TYPE, JSON.stringify({ amount: 7 }), JSON.stringify({ eventId: `e${PAYLOAD}` }), '2026-01-02T00:00:00Z')
  insert.run('acc-2', 'Deposited', JSON.stringify({ amount: 1 }), '{}', '2026-01-03T00:00:00Z')
  db.prepare('INSERT INTO tracking VALUES (?, 1)').run(CHECKPOINT)
  db.close()

  const read = new Database(join(dir, 'read.db'))
  read.exec('CREATE TABLE account_view (id TEXT PRIMARY KEY, amount INTEGER, note TEXT)')
  read.prepare('INSERT INTO account_view VALUES (?, 12, ?)').run(STREAM, `wrong${PAYLOAD}`)
  read.close()

  mkdirSync(join(dir, 'fx'))
  const stored = { position: 1, stream: STREAM, version: 1, type: TYPE, schemaVersion: 1, time: '2026-01-01T00:00:00Z', data: { [FIELD]: PAYLOAD }, meta: {} }
  writeFileSync(join(dir, 'fx', 'case.in.ndjson'), `${JSON.stringify(stored)}\n`)
  writeFileSync(join(dir, 'fx', 'case.out.ndjson'), `${JSON.stringify({ ...stored, schemaVersion: 2, data: { other: PAYLOAD } })}\n`)
  writeFileSync(join(dir, 'up.mjs'), `export default [{ type: ${JSON.stringify(TYPE)}, from: 1, to: 2, up: (e) => ({ ...e, data: { ...e.data, lifted: ${JSON.stringify(PAYLOAD)} } }) }]\n`)
})

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })

describe('human-readable output escapes store text visibly, piped or not (issue #18, items 1 and 2)', () => {
  const commands: Array<[string, string[], number]> = [
    ['tail, pretty', ['tail', 'store.db', '--format', 'pretty'], 0],
    ['tail, template', ['tail', 'store.db', '--template', '{time} {type} {stream} {data} {meta.eventId} {data.amount}'], 0],
    ['state', ['state', 'store.db', STREAM], 0],
    ['state --trace', ['state', 'store.db', STREAM, '--trace'], 0],
    ['state --blame', ['state', 'store.db', STREAM, '--blame'], 0],
    ['replay, table', ['replay', 'store.db', '--format', 'table'], 0],
    ['inspect', ['inspect', 'store.db'], 0],
    ['lag', ['lag', 'store.db'], 0],
    ['diff', ['diff', 'store.db', '--projection', 'sqlite:read.db#account_view', '--key', 'id'], 1],
    ['diff --reporter junit', ['diff', 'store.db', '--projection', 'sqlite:read.db#account_view', '--key', 'id', '--reporter', 'junit'], 1],
    ['upcast check', ['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--against', 'store.db'], 1],
    ['upcast check --reporter github', ['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--reporter', 'github'], 1],
    ['upcast check --reporter junit', ['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--reporter', 'junit'], 1],
    ['upcast run, pretty', ['upcast', 'run', 'store.db', '--upcasters', 'up.mjs', '--format', 'pretty'], 0],
    ['an error naming a stream', ['state', 'store.db', 'acc-1'], 2],
  ]
  for (const [name, args, code] of commands) {
    it(`${name}: only rewind's colours reach the terminal, and the stored characters show as escapes`, async () => {
      const result = await cli(args)
      expect(result.code, result.stderr).toBe(code)
      expectSafe(result.stdout)
      expectSafe(result.stderr)
      // Shown, not dropped: the user sees that the store holds a title-setting sequence.
      expect(`${result.stdout}${result.stderr}`).toMatch(/\\e\]0;pwned|\\u001b\]0;pwned/)
    })
  }

  it('the github reporter escapes annotation data as GitHub documents, and the text report after it forges no command', async () => {
    const result = await cli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--reporter', 'github'])
    const annotations = result.stdout.split('\n').filter((line) => line.startsWith('::'))
    expect(annotations.length).toBeGreaterThan(0)
    for (const line of annotations) expect(line).toMatch(/^::(error|warning) /)
    expect(result.stdout).toContain('%0A::error file=x::forged')
  })

  it('JUnit XML holds no character XML 1.0 forbids, and says where the store had one', async () => {
    const result = await cli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--reporter', 'junit'])
    // eslint-disable-next-line no-control-regex
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/)
    expect(result.stdout).toContain('\\e]52;c;aGk=')
  })

  it('warnings quote store text on one line each', async () => {
    const result = await cli(['state', 'store.db', STREAM])
    const duplicate = result.stderr.split('\n').filter((line) => line.includes('duplicate eventId'))
    expect(duplicate).toHaveLength(1)
    expect(duplicate[0]).toContain('\\n::error file=x::forged')
  })
})

describe('JSON keeps the stored text exactly (issue #18, item 1)', () => {
  it('piped: the document parses back to the stored strings', async () => {
    const result = await cli(['tail', 'store.db', '--format', 'ndjson'])
    const first = JSON.parse(result.stdout.split('\n')[0])
    expect([first.stream, first.type, first.data[FIELD]]).toEqual([STREAM, TYPE, `v${PAYLOAD}`])
  })
})

/** Runs the CLI in a pseudo-terminal (util-linux `script`), answering `keys` once the output shows `ready`. */
function inTerminal(args: string[], options: { ready?: string; keys?: string } = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Not CI: under CI=true the watch prints lines instead of its view.
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', NO_COLOR: undefined, FORCE_COLOR: '1', DEBUG: '', CI: undefined }
    args.forEach((arg, i) => (env[`REWIND_ARG${i}`] = arg))
    const command = `stty cols 120 rows 30; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.map((_, i) => `"$REWIND_ARG${i}"`).join(' ')}`
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    let answered = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      if (options.ready !== undefined && !answered && output.includes(options.ready)) {
        answered = true
        setTimeout(() => child.stdin.write(options.keys ?? 'q'), 300)
      }
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

// The views draw with these (ink, and state -i's alternate screen); store text never adds to them.
const VIEW_CONTROLS = [/\u001b\[\?(1049|2026|25)[hl]/g, /\u001b\[[0-9]*[HJKABCDG]/g, /\r\n/g]

describe('on a terminal (issue #18, item 1)', () => {
  it('JSON escapes what a terminal would act on as \\u escapes, and still parses to the stored text', async () => {
    const { code, output } = await inTerminal(['tail', 'store.db', '--format', 'ndjson'])
    expect(code).toBe(0)
    expectSafe(output, [/\r\n/g])
    const first = JSON.parse(output.split('\r\n')[0])
    expect([first.stream, first.type, first.data[FIELD]]).toEqual([STREAM, TYPE, `v${PAYLOAD}`])
  })

  it('--json documents (oclif colours them on a terminal) are escaped the same way', async () => {
    const { code, output } = await inTerminal(['state', 'store.db', STREAM, '--json'])
    expect(code).toBe(0)
    expectSafe(output, [/\r\n/g])
    expect(JSON.parse(output.replace(SGR, '').replace(/\r\n/g, '\n')).state[FIELD]).toBe(`v${PAYLOAD}`)
  })

  it('state -i draws the stream, types, fields and values with their escapes visible', async () => {
    const { code, output } = await inTerminal(['state', 'store.db', STREAM, '-i'], { ready: '? help', keys: 'q' })
    expect(code).toBe(0)
    expectSafe(output, VIEW_CONTROLS)
    expect(output).toContain('\\e]0;pwned')
  })

  it('lag --watch draws the checkpoint name with its escapes visible', async () => {
    const { code, output } = await inTerminal(['lag', 'store.db', '--watch', '--interval', '1s'], { ready: 'PROJECTION', keys: '\u0003' })
    expect(code).toBe(0) // Ctrl-C is how a watch ends
    expectSafe(output, VIEW_CONTROLS)
    expect(output).toContain('view\\e]0;pwned')
  })
})
