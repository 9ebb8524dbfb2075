// `rewind tail --follow` while another process writes: SQLite in WAL mode and NDJSON files.
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { BIN, ROOT, tempDir } from './helpers.js'

interface Follower {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  lines: () => string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function follow(args: string[]): Follower {
  const child = spawn(process.execPath, [BIN, 'tail', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (c) => (stdout += c))
  child.stderr!.setEncoding('utf8').on('data', (c) => (stderr += c))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return { child, stdout: () => stdout, stderr: () => stderr, lines: () => stdout.split('\n').filter((l) => l !== ''), exited }
}

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const SCHEMA = `CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, aggregate_id TEXT NOT NULL, event_type TEXT NOT NULL,
  event_data TEXT NOT NULL, created_at TEXT NOT NULL, version INTEGER NOT NULL)`

// The concurrent writer: its own process, small transactions (1-7 events), short pauses.
const WRITER = `
const Database = require('better-sqlite3')
const [file, start, count] = process.argv.slice(1)
const db = new Database(file)
db.pragma('journal_mode = WAL')
const insert = db.prepare('INSERT INTO events (aggregate_id, event_type, event_data, created_at, version) VALUES (?, ?, ?, ?, ?)')
let seq = Number(start)
const end = seq + Number(count)
const write = db.transaction((n) => {
  for (let i = 0; i < n && seq < end; i++, seq++) {
    const stream = 'acc-' + (seq % 50)
    const version = Math.floor(seq / 50) + 1
    insert.run(stream, seq % 2 ? 'MoneyDeposited' : 'MoneyWithdrawn', JSON.stringify({ seq, amount: seq % 1000 }), new Date().toISOString(), version)
  }
})
;(async () => {
  let txns = 0
  while (seq < end) {
    write(1 + (txns++ % 7))
    if (txns % 10 === 0) await new Promise((r) => setTimeout(r, 3))
  }
  db.close()
})()
`

function runWriter(file: string, start: number, count: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, file, String(start), String(count)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('close', (code) => resolve(code))
  })
}

describe('tail --follow on SQLite while another process writes (WAL)', () => {
  it('prints every one of 20,000 events written in small transactions, once, in order', async () => {
    const file = join(tempDir(), 'live.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.exec(SCHEMA)
    db.close()
    await runWriter(file, 0, 100)

    const tail = follow([file, '-f', '--from', 'beginning', '--interval', '50'])
    try {
      await waitFor(() => tail.lines().length >= 100, 30_000, 'the first 100 events')
      const TOTAL = 100 + 20_000
      expect(await runWriter(file, 100, 20_000)).toBe(0)
      await waitFor(() => tail.lines().length >= TOTAL, 60_000, `${TOTAL} events`)
      // Nothing more arrives after the writer is done.
      await new Promise((r) => setTimeout(r, 300))
      tail.child.kill('SIGINT')
      const { code } = await tail.exited
      expect([0, 130]).toContain(code)
      expect(tail.stderr()).not.toMatch(/\n\s+at |Error/)

      const events = tail.lines().map((l) => JSON.parse(l))
      expect(events).toHaveLength(TOTAL)
      events.forEach((e, i) => {
        expect(e.position).toBe(i + 1)
        expect(e.data.seq).toBe(i)
      })
      // Per stream, versions go up by one: nothing lost or repeated inside a stream either.
      const last = new Map<string, number>()
      for (const e of events) {
        expect(e.version).toBe((last.get(e.stream) ?? 0) + 1)
        last.set(e.stream, e.version)
      }
    } finally {
      tail.child.kill('SIGKILL')
    }
  })

  it('Ctrl-C during --follow exits 130 without a stack, after closing the JSON array', async () => {
    const file = join(tempDir(), 'quiet.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.exec(SCHEMA)
    db.close()
    await runWriter(file, 0, 30)
    const tail = follow([file, '-f', '--format', 'json'])
    try {
      // --follow without --from starts with the last 10, like tail -f.
      await waitFor(() => (tail.stdout().match(/"position"/g) ?? []).length >= 10, 30_000, 'the last 10 events')
      tail.child.kill('SIGINT')
      const { code } = await tail.exited
      expect([0, 130]).toContain(code)
      expect(tail.stderr()).toBe('')
      const parsed = JSON.parse(tail.stdout())
      expect(parsed.map((e: { position: number }) => e.position)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i))
    } finally {
      tail.child.kill('SIGKILL')
    }
  })
})

describe('tail --follow on an NDJSON file', () => {
  it('prints lines appended later, a split line once it is complete', async () => {
    const file = join(tempDir(), 'live.ndjson')
    const line = (n: number) => JSON.stringify({ type: 'Ticked', stream: 'clock', time: '2024-05-01T10:00:00Z', data: { n } })
    writeFileSync(file, `${line(0)}\n${line(1)}\n`)
    const tail = follow([file, '-f', '--from', 'beginning', '--interval', '20', '--template', '{position} {data.n}'])
    try {
      await waitFor(() => tail.lines().length >= 2, 30_000, 'the first lines')
      appendFileSync(file, `${line(2)}\n`)
      const third = line(3)
      appendFileSync(file, third.slice(0, 20))
      await new Promise((r) => setTimeout(r, 200))
      appendFileSync(file, `${third.slice(20)}\n${line(4)}\n`)
      await waitFor(() => tail.lines().length >= 5, 30_000, 'the appended lines')
      tail.child.kill('SIGINT')
      const { code } = await tail.exited
      expect([0, 130]).toContain(code)
      expect(tail.lines()).toEqual(['1 0', '2 1', '3 2', '4 3', '5 4'])
      expect(tail.stderr()).toBe('')
    } finally {
      tail.child.kill('SIGKILL')
    }
  })
})
