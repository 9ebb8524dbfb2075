// Issue #18, items 7, 8 and 13: input that is not a regular file (pipes, `-`, devices, lines
// without end), output that cannot be written (/dev/full, a reader that went away) and --json
// that must be one whole document or {"error": ...}. Run through bash, as a user types it.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, makeDemo, type CliResult } from '../helpers.js'

const REWIND = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`

/** Runs a bash command line in `cwd`; `rewind` stands for the built CLI. Killed after 60 s. */
function sh(command: string, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; rewind() { ${REWIND} "$@"; }; ${command}`], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '')
const events = (text: string) => lines(text).map((l) => JSON.parse(l))
const oneLine = (stderr: string) => {
  expect(lines(stderr)).toHaveLength(1)
  expect(stderr).not.toMatch(/\n\s+at /)
}

let dir: string
let ndjson: string[]

beforeAll(async () => {
  dir = await makeDemo()
  const all = await sh('rewind tail bank.db --format ndjson > events.ndjson', dir)
  expect(all.code).toBe(0)
  ndjson = lines((await sh('cat events.ndjson', dir)).stdout)
  expect(ndjson.length).toBeGreaterThan(100)
  // A store with a bad row in the middle.
  copyFileSync(join(dir, 'bank.db'), join(dir, 'bad.db'))
  const db = new Database(join(dir, 'bad.db'))
  db.prepare("UPDATE events SET event_data = '{bad' WHERE id = 200").run()
  db.close()
  writeFileSync(join(dir, 'cycle.mjs'), 'export default { init: () => ({}), apply: (s, e) => { const t = { ...s, type: e.type }; t.self = t; return t } }\n')
  writeFileSync(join(dir, 'big.mjs'), 'export default { init: () => ({}), apply: (s, e) => ({ ...s, n: 10n }) }\n')
})

describe('NDJSON that is not a regular file is read as a stream (item 7)', () => {
  it('reads process substitution, /dev/stdin, - and a named pipe', async () => {
    for (const command of [
      'rewind tail <(cat events.ndjson)',
      'cat events.ndjson | rewind tail /dev/stdin',
      'cat events.ndjson | rewind tail -',
      'rewind tail - < events.ndjson',
      'rewind tail /dev/stdin < events.ndjson',
      'rm -f fifo && mkfifo fifo && { cat events.ndjson > fifo & } && rewind tail fifo',
    ]) {
      const result = await sh(command, dir)
      expect(result.stderr, command).toBe('')
      expect(result.code, command).toBe(0)
      expect(events(result.stdout), command).toEqual(events(ndjson.join('\n')))
    }
  })

  it('keeps tail ranges on a pipe: -N, --until -N, --follow ends with the pipe and starts at its beginning', async () => {
    const last = await sh('cat events.ndjson | rewind tail - --from -3', dir)
    expect(events(last.stdout)).toEqual(events(ndjson.slice(-3).join('\n')))
    const until = await sh('rewind tail <(cat events.ndjson) --until -3', dir)
    expect(events(until.stdout)).toEqual(events(ndjson.slice(0, -2).join('\n')))
    // The same range as the regular file gives.
    for (const range of ['--from -5 --until -3', '--from 380 --until -10', '--from -2 --until -5']) {
      const piped = await sh(`rewind tail <(cat events.ndjson) ${range}`, dir)
      const file = await sh(`rewind tail events.ndjson ${range}`, dir)
      expect(piped.stdout, range).toBe(file.stdout)
    }
    const follow = await sh('rewind tail -f <(head -5 events.ndjson)', dir)
    expect(follow.code).toBe(0)
    expect(events(follow.stdout)).toEqual(events(ndjson.slice(0, 5).join('\n')))
  })

  it('inspects, folds and replays what comes on standard input', async () => {
    const inspect = await sh('cat events.ndjson | rewind inspect - --json', dir)
    expect(inspect.code).toBe(0)
    expect(JSON.parse(inspect.stdout)).toMatchObject({ source: '<stdin>', kind: 'file', events: ndjson.length })
    const state = await sh('rewind state <(cat events.ndjson) acc-01 --json', dir)
    expect(state.code).toBe(0)
    expect(JSON.parse(state.stdout).events).toBeGreaterThan(0)
    const replay = await sh('cat events.ndjson | rewind replay - --format ndjson', dir)
    expect(replay.code).toBe(0)
    expect(lines(replay.stdout).length).toBe(12)
  })

  it('suggests streams from the one read of a pipe, and says when a second read is needed', async () => {
    const state = await sh('rewind state <(cat events.ndjson) acc-1', dir)
    expect(state.code).toBe(2)
    oneLine(state.stderr)
    expect(state.stderr).toMatch(/no stream "acc-1"; did you mean .*acc-01/)
    const diff = await sh('rewind diff <(cat events.ndjson) --projection sqlite:read.db#account_view --key account_id', dir)
    expect(diff.code).toBe(1)
    expect(diff.stdout).toMatch(/12 compared: \d+ matched, [1-9]\d* drifted/)
    expect(diff.stderr).toMatch(/^warning: \/dev\/fd\/\d+: drifted rows are not explained: .*a pipe can be read only once/m)
  })

  it('state -i (which reads the source in a second thread) says in one line that it needs a regular file', async () => {
    // script(1) gives rewind the terminal that -i asks for.
    const result = await sh(`script -qec "bash -c '${REWIND} state <(cat events.ndjson) acc-01 -i'" /dev/null`, dir)
    expect(result.code).toBe(2)
    expect(result.stdout.trim()).toMatch(/^rewind: \/dev\/fd\/\d+: state -i reads the source more than once, and a pipe or device can be read only once; save it to a regular file first$/)
  })

  it('fails a line without end at a documented cap, naming file and line, and --max-line-bytes raises it', async () => {
    for (const command of ['rewind tail /dev/zero', 'rewind state /dev/zero acc-01', 'head -c 70000000 /dev/zero | rewind inspect -']) {
      const result = await sh(command, dir)
      expect(result.code, command).toBe(2)
      oneLine(result.stderr)
      expect(result.stderr, command).toMatch(/^rewind: (\/dev\/zero|<stdin>):1: line 1 is longer than 64 MiB \(no newline yet\); --max-line-bytes raises the limit\n$/)
    }
    // 65 MiB of data in one event, in a regular file (the tail fast path) and through a pipe.
    await sh(`{ printf '{"type":"Huge","stream":"s","data":"'; head -c ${65 * 1024 * 1024} /dev/zero | tr '\\0' a; printf '"}\\n{"type":"After","stream":"s"}\\n'; } > huge.ndjson`, dir)
    const capped = await sh('rewind tail huge.ndjson', dir)
    expect(capped.code).toBe(2)
    expect(capped.stderr).toBe('rewind: huge.ndjson:1: line 1 is longer than 64 MiB (no newline yet); --max-line-bytes raises the limit\n')
    for (const command of ['rewind tail huge.ndjson --max-line-bytes 66MiB --template "{type}"', 'cat huge.ndjson | rewind tail - --max-line-bytes 70000000 --template "{type}"']) {
      const raised = await sh(command, dir)
      expect(raised.stderr, command).toBe('')
      expect(raised.stdout, command).toBe('Huge\nAfter\n')
    }
    const bad = await sh('rewind tail events.ndjson --max-line-bytes 2GiB', dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^rewind: --max-line-bytes "2GiB": expected a size from 1 byte to 512MiB/)
  })
})

describe('output that cannot be written (item 8)', () => {
  it('> /dev/full is one line and exit 2 for every command', async () => {
    for (const args of [
      'tail bank.db',
      'tail events.ndjson --format pretty',
      'tail bank.db --json',
      'inspect bank.db',
      'state bank.db acc-01 --trace',
      'replay bank.db',
      'replay bank.db --json',
      'diff bank.db --projection sqlite:read.db#account_view --key account_id',
      'lag bank.db',
      'upcast run bank.db -n 3',
      'upcast check upcaster-fixtures',
      '--help',
    ]) {
      const result = await sh(`rewind ${args} > /dev/full`, dir)
      // Warnings about the data may come first; then the one line.
      expect(lines(result.stderr).filter((l) => !l.startsWith('warning: ')), args).toEqual(['rewind: cannot write to standard output: no space left on device'])
      expect(result.code, args).toBe(2)
    }
  })

  it('tail -f | head -1 ends when head does, while no new event comes', async () => {
    for (const source of ['bank.db', 'events.ndjson']) {
      // Killed after 60 s by sh(): a run that never notices head has gone fails here.
      const result = await sh(`rewind tail -f ${source} | head -1`, dir)
      expect(result.signal, source).toBeNull()
      expect(result.code, source).toBe(0)
      expect(result.stderr, source).toBe('')
      expect(JSON.parse(result.stdout)).toEqual(JSON.parse(ndjson.at(-10)!))
    }
    // A pipe that stays open and silent after its first event: rewind waits in a read of it.
    const pipe = await sh('rewind tail -f <(head -1 events.ndjson; sleep 30 2>/dev/null) | head -1', dir)
    expect(pipe.signal).toBeNull()
    expect(pipe.code).toBe(0)
    expect(JSON.parse(pipe.stdout)).toEqual(JSON.parse(ndjson[0]))
  })
})

describe('--json is one whole document or {"error": ...} (item 13)', () => {
  it('tail --json on a store with a bad row prints only the error document', async () => {
    for (const command of ['rewind tail bad.db --json', 'rewind upcast run bad.db --json']) {
      const result = await sh(command, dir)
      expect(result.code, command).toBe(2)
      expect(JSON.parse(result.stdout).error.message, command).toMatch(/bad\.db: events row at position 200/)
      oneLine(result.stderr)
    }
  })

  it('a held --json array larger than memory holds (spilled to a file) is still whole or only the error', async () => {
    await sh('for i in $(seq 100); do cat events.ndjson; done > many.ndjson && cp many.ndjson many-bad.ndjson && echo "{oops" >> many-bad.ndjson', dir)
    const whole = await sh('rewind tail many.ndjson --json', dir)
    expect(whole.code).toBe(0)
    expect(whole.stdout.length).toBeGreaterThan(8 << 20)
    expect(JSON.parse(whole.stdout)).toHaveLength(ndjson.length * 100)
    const bad = await sh('rewind tail many-bad.ndjson --json', dir)
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout).error.message).toMatch(new RegExp(`many-bad\\.ndjson:${ndjson.length * 100 + 1}: not valid JSON`))
  })

  it('a streamed JSON array (--format json, --json --follow) is closed on a bad row, the error on stderr', async () => {
    for (const command of ['rewind tail bad.db --format json', 'rewind tail bad.db --json -f --from beginning']) {
      const result = await sh(command, dir)
      expect(result.code, command).toBe(2)
      const events = JSON.parse(result.stdout)
      expect(events, command).toHaveLength(199)
      expect(result.stderr, command).toMatch(/^rewind: bad\.db: events row at position 200: .*\n$/)
    }
  })

  it('state and replay --json whose result cannot be printed give an error document, not nothing', async () => {
    for (const command of ['rewind state bank.db acc-01 --reducer cycle.mjs --json', 'rewind replay bank.db --reducer cycle.mjs --json']) {
      const result = await sh(command, dir)
      expect(result.code, command).toBe(2)
      expect(JSON.parse(result.stdout).error.message, command).toMatch(/circular|cyclic/i)
      oneLine(result.stderr)
    }
    // A BigInt: printed exactly (another part of issue #18) or an error document, never nothing.
    const big = await sh('rewind state bank.db acc-01 --reducer big.mjs --json', dir)
    const document = JSON.parse(big.stdout)
    expect(big.code === 0 ? document.state : document.error).toBeDefined()
  })
})
