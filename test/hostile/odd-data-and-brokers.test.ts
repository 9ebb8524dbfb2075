// Issue #18, items 9, 11 and 14: brokers that misbehave, read-only users of WAL stores, and odd
// but valid data. Each test runs the built CLI as a user would.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { BIN, runCli, tempDir, type CliResult } from '../helpers.js'

/** One line on stderr, no stack trace, exit 2. */
function expectOneLineError(result: CliResult): string {
  expect(result.code).toBe(2)
  const lines = result.stderr.split('\n').filter((l) => l !== '')
  expect(lines).toHaveLength(1)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  return lines[0]
}

// --- item 9: a "broker" that is not one --------------------------------------------------------

/** A TCP server on 127.0.0.1 that answers each connection with `answer`. */
async function fakeBroker(answer: (socket: Socket) => void): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    answer(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return { address: `127.0.0.1:${port}`, close }
}

/** Writes `bytes` (one every `everyMs`) after each request, until the socket closes. */
function drip(socket: Socket, bytes: () => Buffer, everyMs: number): void {
  socket.once('data', () => {
    const timer = setInterval(() => { if (!socket.destroyed) socket.write(bytes()) }, everyMs)
    socket.on('close', () => clearInterval(timer))
  })
}

describe('a Kafka port that misbehaves: exit 2 within --timeout, one line naming the broker and what was wrong', () => {
  const closers: Array<() => Promise<void>> = []
  const start = async (answer: (socket: Socket) => void) => {
    const broker = await fakeBroker(answer)
    closers.push(broker.close)
    return broker.address
  }
  afterAll(async () => {
    for (const close of closers) await close()
  })

  const tail = (address: string) => runCli(['tail', `kafka://${address}/events`, '--timeout', '3s'], { timeoutMs: 30_000 })

  it('an HTTP server answering: the size it gave and the bytes it began with', async () => {
    const address = await start((socket) => socket.on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol`)
    expect(line).toContain('beginning "HTTP/1.1 400 Bad"')
  })

  it('a negative response size (kafkajs threw inside its socket handler: a stack trace and exit 1)', async () => {
    const address = await start((socket) => socket.on('data', () => socket.write(Buffer.from([0xff, 0xff, 0xff, 0xfb, 0, 0, 0, 0]))))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol: a response size of -5 bytes`)
  })

  it('a drip of zero bytes', async () => {
    const address = await start((socket) => drip(socket, () => Buffer.from([0]), 100))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol: a response size of 0 bytes`)
  })

  it('a response that begins and then trickles: says how much of it came', async () => {
    const address = await start((socket) => {
      socket.once('data', () => socket.write(Buffer.from([0, 0, 0, 100])))
      drip(socket, () => Buffer.from([1]), 250)
    })
    const line = expectOneLineError(await tail(address))
    expect(line).toMatch(new RegExp(`no complete answer within 3s \\(${address.replace(/\./g, '\\.')} had sent \\d+ of the 104 bytes of a response\\)`))
  })

  it('a TLS alert to a plain-text client: says to add --tls', async () => {
    const address = await start((socket) => socket.on('data', () => socket.end(Buffer.from([0x15, 3, 3, 0, 2, 2, 0x46]))))
    const line = expectOneLineError(await tail(address))
    expect(line).toContain(`${address} does not answer in the Kafka protocol`)
    expect(line).toContain('it looks like TLS: add --tls')
  })
})

// --- item 11: a WAL store read by a user who cannot write its directory --------------------------

/** Runs the CLI as the unprivileged user `nobody` (root ignores file permissions). */
function runAsNobody(args: string[], home: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...args], {
      env: { ...process.env, HOME: home, NO_COLOR: '1', DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/**
 * A WAL store in a directory only root may write, its files readable by all. `pending`: an event
 * still in the -wal (its writer gone, no -shm), as a crashed writer leaves it.
 */
const walRoots: string[] = []
afterAll(() => { for (const root of walRoots) rmSync(root, { recursive: true, force: true }) })

function walStore(pending: boolean): { dir: string; file: string; home: string } {
  const root = tempDir('rewind-wal-ro-')
  walRoots.push(root)
  chmodSync(root, 0o755)
  const dir = join(root, 'store')
  mkdirSync(dir)
  const file = join(dir, 'events.db')
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, version INTEGER, type TEXT, data TEXT, created_at TEXT)')
  db.prepare("INSERT INTO events VALUES (1, 'acc-1', 1, 'Opened', '{\"balance\":0}', '2024-01-01 00:00:00')").run()
  if (pending) {
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.pragma('wal_autocheckpoint = 0')
    db.prepare("INSERT INTO events VALUES (2, 'acc-1', 2, 'Deposited', '{\"balance\":5}', '2024-01-01 00:00:01')").run()
    // What a writer that died leaves: the store and its -wal, no -shm.
    copyFileSync(file, join(root, 'copy.db'))
    copyFileSync(`${file}-wal`, join(root, 'copy.db-wal'))
  }
  db.close()
  if (pending) {
    renameSync(join(root, 'copy.db'), file)
    renameSync(join(root, 'copy.db-wal'), `${file}-wal`)
  }
  for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o644)
  chmodSync(dir, 0o755)
  const home = join(root, 'home')
  mkdirSync(home)
  chmodSync(home, 0o777)
  return { dir, file, home }
}

describe('a WAL store whose directory the user cannot write is read anyway, with a note saying how', () => {
  it('with an empty -wal: every event, one note on stderr, nothing written next to the store', async () => {
    const { dir, file, home } = walStore(false)
    const before = readdirSync(dir).sort()
    const result = await runAsNobody(['tail', file], home)
    expect(result.stderr).not.toMatch(/readonly database|unable to open/)
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)).toEqual(['Opened'])
    const notes = result.stderr.split('\n').filter(Boolean)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toContain(`${file}: a WAL store in a directory you cannot write`)
    expect(notes[0]).toContain('reading a private copy')
    expect(readdirSync(dir).sort()).toEqual(before)
  })

  it('with events still in the -wal (no -shm): those events too, for tail and state', async () => {
    const { dir, file, home } = walStore(true)
    expect(existsSync(`${file}-shm`)).toBe(false)
    const tail = await runAsNobody(['tail', file], home)
    expect(tail.code).toBe(0)
    expect(tail.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)).toEqual(['Opened', 'Deposited'])
    expect(tail.stderr).toMatch(/private copy of the store and its -wal \(\d+ bytes not yet checkpointed\)/)
    const state = await runAsNobody(['state', file, 'acc-1', '--json'], home)
    expect(state.code).toBe(0)
    expect(JSON.parse(state.stdout).state).toEqual({ balance: 5 })
    expect(existsSync(`${file}-shm`)).toBe(false)
    expect(readdirSync(dir).sort()).toEqual(['events.db', 'events.db-wal'])
  })
})

// --- item 14: odd but valid data ----------------------------------------------------------------

type Row = [position: number | bigint, stream: string | null, version: number, type: string | null, data: string, metadata: string, time: string | null]

/** A plain events table with the rows given, after an ordinary first and before an ordinary last event. */
function store(rows: Row[]): string {
  const file = join(tempDir('rewind-odd-'), 'events.db')
  const db = new Database(file)
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, version INTEGER, type TEXT, data TEXT, metadata TEXT, created_at TEXT)')
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)')
  insert.run(1, 'acc-1', 1, 'Opened', '{"balance":0}', '{}', '2024-01-01 00:00:00')
  for (const row of rows) insert.run(...row)
  insert.run(rows.length + 2, 'acc-1', rows.length + 2, 'Closed', '{}', '{}', '2024-01-01 00:00:09')
  db.close()
  return file
}

const types = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)
const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)

describe('JSON nested ~5,000 levels deep is a bad row named by its position, skippable with --skip-invalid', () => {
  const cases: Array<[string, Row]> = [
    ['data', [2, 'acc-1', 2, 'Deep', deep(5000), '{}', '2024-01-01 00:00:01']],
    ['metadata', [2, 'acc-1', 2, 'Deep', '{}', `{"trace":${deep(5000)}}`, '2024-01-01 00:00:01']],
  ]
  for (const [column, row] of cases) {
    it(`in ${column}: tail, tail --format pretty, state and replay name the row; --skip-invalid goes on`, async () => {
      const file = store([row])
      for (const args of [['tail', file], ['tail', file, '--format', 'pretty'], ['state', file, 'acc-1'], ['replay', file]]) {
        const line = expectOneLineError(await runCli(args))
        expect(line).toBe(`rewind: ${file}: events row at position 2: ${column} nests JSON deeper than 1000 levels, more than rewind reads; --skip-invalid skips such rows with a warning`)
      }
      const tail = await runCli(['tail', file, '--skip-invalid'])
      expect(tail.code).toBe(0)
      expect(types(tail.stdout)).toEqual(['Opened', 'Closed'])
      expect(tail.stderr).toContain('events row at position 2')
      const state = await runCli(['state', file, 'acc-1', '--skip-invalid', '--json'])
      expect(state.code).toBe(0)
      expect(JSON.parse(state.stdout).state).toEqual({ balance: 0 })
      const replay = await runCli(['replay', file, '--skip-invalid', '--json'])
      expect(replay.code).toBe(0)
      expect(JSON.parse(replay.stdout).states['acc-1']).toEqual({ balance: 0 })
    })
  }

  it('in an NDJSON line: tail and replay name file and line', async () => {
    const file = join(tempDir('rewind-odd-'), 'events.ndjson')
    writeFileSync(file, `{"type":"Opened","stream":"acc-1","data":{}}\n{"type":"Deep","stream":"acc-1","data":${deep(5000)}}\n`)
    for (const command of ['tail', 'replay']) {
      const line = expectOneLineError(await runCli([command, file]))
      expect(line).toBe(`rewind: ${file}:2: the line nests JSON deeper than 1001 levels, more than rewind reads; --skip-invalid skips such lines with a warning`)
    }
    const skipped = await runCli(['tail', file, '--skip-invalid'])
    expect(skipped.code).toBe(0)
    expect(types(skipped.stdout)).toEqual(['Opened'])
    // Under the limit, deep JSON is read and printed as it is.
    const nested = store([[2, 'acc-1', 2, 'Nested', deep(900), '{}', '2024-01-01 00:00:01']])
    const tail = await runCli(['tail', nested, '--from', '2', '--until', '2'])
    expect(tail.code).toBe(0)
    expect(JSON.stringify(JSON.parse(tail.stdout).data)).toBe(deep(900))
  })
})

describe('a NULL stream or type is a bad row named by its position (it printed as the string "null")', () => {
  const cases: Array<[string, Row, string]> = [
    ['stream', [2, null, 2, 'Deposited', '{}', '{}', '2024-01-01 00:00:01'], 'stream_id is NULL (expected the stream id)'],
    ['type', [2, 'acc-1', 2, null, '{}', '{}', '2024-01-01 00:00:01'], 'type is NULL (expected the event type)'],
  ]
  for (const [what, row, reason] of cases) {
    it(`NULL ${what}: tail, replay and state stop at it; --skip-invalid warns and goes on`, async () => {
      const file = store([row])
      const commands = [['tail', file], ['replay', file], ...(what === 'stream' ? [] : [['state', file, 'acc-1']])]
      for (const args of commands) {
        const line = expectOneLineError(await runCli(args))
        expect(line).toBe(`rewind: ${file}: events row at position 2: ${reason}; --skip-invalid skips such rows with a warning`)
      }
      const tail = await runCli(['tail', file, '--skip-invalid'])
      expect(tail.code).toBe(0)
      expect(types(tail.stdout)).toEqual(['Opened', 'Closed'])
      expect(tail.stderr).toBe(`warning: ${file}: events row at position 2: ${reason}\n`)
    })
  }
})

describe('a NULL time is read as "" with a warning naming the first such row (it was silent)', () => {
  it('tail, replay and state --json say so once', async () => {
    const file = store([[2, 'acc-1', 2, 'Deposited', '{}', '{}', null], [3, 'acc-1', 3, 'Deposited', '{}', '{}', null]])
    const warning = `${file}: events row at position 2: created_at is NULL, so the event has no time (""); later rows like it are not reported`
    const tail = await runCli(['tail', file])
    expect(tail.code).toBe(0)
    expect(tail.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).time)).toEqual(['2024-01-01T00:00:00.000Z', '', '', '2024-01-01T00:00:09.000Z'])
    expect(tail.stderr).toBe(`warning: ${warning}\n`)
    const replay = await runCli(['replay', file])
    expect(replay.code).toBe(0)
    expect(replay.stderr).toBe(`warning: ${warning}\n`)
    const state = await runCli(['state', file, 'acc-1', '--json'])
    expect(state.code).toBe(0)
    expect(JSON.parse(state.stdout).warnings).toContain(warning)
  })
})

describe('positions beyond 2^53 keep their digits, and --from/--until address them', () => {
  // 2^53 + 1 and 2^53 + 3: as JavaScript numbers they read as 2^53 and 2^53 + 4.
  const rows: Row[] = [
    [9007199254740993n, 'acc-1', 2, 'Deposited', '{"balance":5}', '{}', '2024-01-01 00:00:01'],
    [9007199254740995n, 'acc-1', 3, 'Withdrawn', '{"balance":2}', '{}', '2024-01-01 00:00:02'],
  ]
  const positions = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).position)

  it('tail prints them exactly, as strings in JSON, and as digits in --format pretty', async () => {
    const file = store(rows)
    const tail = await runCli(['tail', file])
    expect(tail.code).toBe(0)
    expect(positions(tail.stdout)).toEqual([1, 4, '9007199254740993', '9007199254740995'])
    const pretty = await runCli(['tail', file, '--format', 'pretty'])
    expect(pretty.stdout).toContain('9007199254740993')
    expect(pretty.stdout).toContain('9007199254740995')
  })

  it('--from and --until select by the exact position; -N and position:N too', async () => {
    const file = store(rows)
    expect(positions((await runCli(['tail', file, '--from', '9007199254740995'])).stdout)).toEqual(['9007199254740995'])
    expect(positions((await runCli(['tail', file, '--from', '9007199254740994'])).stdout)).toEqual(['9007199254740995'])
    expect(positions((await runCli(['tail', file, '--from', 'position:9007199254740993', '--until', '9007199254740993'])).stdout)).toEqual(['9007199254740993'])
    expect(positions((await runCli(['tail', file, '--from', '-1'])).stdout)).toEqual(['9007199254740995'])
    expect(positions((await runCli(['tail', file, '--from', '5', '--until', '9007199254740994'])).stdout)).toEqual(['9007199254740993'])
  })

  it('state --position and inspect use the exact positions', async () => {
    const file = store(rows)
    const state = await runCli(['state', file, 'acc-1', '--position', '9007199254740993', '--json'])
    expect(state.code).toBe(0)
    expect(JSON.parse(state.stdout)).toMatchObject({ as: { position: '9007199254740993' }, state: { balance: 5 } })
    const inspect = await runCli(['inspect', file, '--json'])
    expect(JSON.parse(inspect.stdout)).toMatchObject({ firstPosition: 1, lastPosition: '9007199254740995' })
  })
})

describe('replay agrees with the other commands on metadata that is not JSON', () => {
  it('exit 2 naming the row; --skip-invalid skips it with a warning', async () => {
    const file = store([[2, 'acc-1', 2, 'Deposited', '{"balance":5}', '{not json', '2024-01-01 00:00:01']])
    const tail = expectOneLineError(await runCli(['tail', file]))
    const replay = expectOneLineError(await runCli(['replay', file]))
    expect(replay).toBe(tail)
    expect(replay).toContain('events row at position 2')
    const skipped = await runCli(['replay', file, '--skip-invalid'])
    expect(skipped.code).toBe(0)
    expect(JSON.parse(skipped.stdout)).toEqual({ stream: 'acc-1', version: 3, state: { balance: 0 } })
    expect(skipped.stderr).toContain('events row at position 2')
  })
})

describe('CR-only line endings: every command reads the same lines at the same positions', () => {
  it('tail (all, -N, a position range), replay and inspect agree', async () => {
    const file = join(tempDir('rewind-odd-'), 'events.ndjson')
    const line = (type: string, n: number) => `{"type":"${type}","stream":"acc-1","data":{"n":${n}}}`
    writeFileSync(file, `${line('A', 1)}\r${line('B', 2)}\r\r${line('C', 3)}\r\n${line('D', 4)}\r`)
    const tail = await runCli(['tail', file])
    expect(tail.code).toBe(0)
    expect(tail.stdout.split('\n').filter(Boolean).map((l) => [JSON.parse(l).type, JSON.parse(l).position])).toEqual([['A', 1], ['B', 2], ['C', 4], ['D', 5]])
    expect(types((await runCli(['tail', file, '--from', '-2'])).stdout)).toEqual(['C', 'D'])
    expect(types((await runCli(['tail', file, '--from', '2', '--until', '4'])).stdout)).toEqual(['B', 'C'])
    const replay = await runCli(['replay', file, '--json'])
    expect(JSON.parse(replay.stdout).states['acc-1']).toEqual({ n: 4 })
    const inspect = await runCli(['inspect', file, '--json'])
    expect(JSON.parse(inspect.stdout)).toMatchObject({ events: 4, firstPosition: 1, lastPosition: 5 })
  })
})

describe('kafka://[IPv6]:PORT/topic', () => {
  it('reaches a broker by its IPv6 address (the address was split at its first colon)', async () => {
    const port = inject('kafkaBrokers').split(',')[0].split(':').pop()
    const result = await runCli(['lag', `kafka://[::ffff:127.0.0.1]:${port}`, '--json', '--timeout', '10s'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  it('names the IPv6 broker in brackets when it misbehaves', async () => {
    const server = createServer((socket) => socket.on('error', () => {}).on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n')))
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const line = expectOneLineError(await runCli(['tail', `kafka://[::1]:${port}/events`, '--timeout', '3s']))
      expect(line).toContain(`[::1]:${port} does not answer in the Kafka protocol`)
    } finally {
      server.close()
    }
  })

  it('an unbracketed IPv6 address says to use brackets', async () => {
    const line = expectOneLineError(await runCli(['tail', 'kafka://::1:9092/events']))
    expect(line).toContain('an IPv6 address goes in brackets, as in [::1]:9092')
  })
})
