// `rewind tail` on SQLite stores and NDJSON files: ranges, filters, formats and bad input,
// run as a user runs it (bin/run.js, stdout piped).
import Database from 'better-sqlite3'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli, tempDir } from './helpers.js'

interface Line {
  position: number
  stream: string
  version?: number
  type: string
  schemaVersion: number
  time: string
  data: any
  meta: Record<string, unknown>
}

const parseLines = (stdout: string): Line[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))

let dir: string
let db: string
let all: Line[]

beforeAll(async () => {
  dir = await makeDemo()
  db = join(dir, 'bank.db')
  // As stored: the demo's config file names upcasters, which tail applies unless --stored.
  const result = await runCli(['tail', db, '--stored'], { cwd: dir })
  expect(result.code).toBe(0)
  all = parseLines(result.stdout)
})

describe('tail on SQLite', () => {
  it('prints every event as NDJSON when piped, in position order, in the Event shape', () => {
    expect(all).toHaveLength(394)
    for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position)
    const e = all[0]
    expect(Object.keys(e)).toEqual(['position', 'stream', 'version', 'type', 'schemaVersion', 'time', 'data', 'meta'])
    expect(e.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    // JSON payloads are JSON, not escaped strings.
    expect(typeof e.data).toBe('object')
    expect(e.meta.correlationId).toMatch(/^req-/)
  })

  it('--from -N prints the last N; --until -N stops at the Nth from the end', async () => {
    const last5 = parseLines((await runCli(['tail', db, '--from', '-5'])).stdout)
    expect(last5.map((e) => e.position)).toEqual(all.slice(-5).map((e) => e.position))
    const middle = parseLines((await runCli(['tail', db, '--from', '-10', '--until', '-5'])).stdout)
    expect(middle.map((e) => e.position)).toEqual(all.slice(-10, -4).map((e) => e.position))
  })

  it('--from/--until positions are inclusive; position:N is the same as N', async () => {
    const range = parseLines((await runCli(['tail', db, '--from', '100', '--until', 'position:110'])).stdout)
    expect(range.map((e) => e.position)).toEqual(Array.from({ length: 11 }, (_, i) => 100 + i))
  })

  it('--from end prints nothing and exits 0; --from beginning prints everything', async () => {
    const end = await runCli(['tail', db, '--from', 'end'])
    expect(end.code).toBe(0)
    expect(end.stdout).toBe('')
    const beginning = await runCli(['tail', db, '--from', 'beginning', '--until', 'end'])
    expect(parseLines(beginning.stdout)).toHaveLength(394)
  })

  it('--from/--until times select by event time (no zone means UTC)', async () => {
    const result = await runCli(['tail', db, '--from', '2026-11-03T00:00', '--until', '2026-11-03T23:59:59.999Z'])
    const events = parseLines(result.stdout)
    const expected = all.filter((e) => e.time >= '2026-11-03T00:00:00.000Z' && e.time <= '2026-11-03T23:59:59.999Z')
    expect(expected.length).toBeGreaterThan(10)
    expect(events.map((e) => e.position)).toEqual(expected.map((e) => e.position))
  })

  it('--type and --stream take globs and repeat; -n limits', async () => {
    const result = await runCli(['tail', db, '--type', 'Money*', '--type', 'AccountOpened', '--stream', 'acc-0?', '-n', '25'])
    const events = parseLines(result.stdout)
    expect(events).toHaveLength(25)
    const expected = all.filter((e) => (e.type.startsWith('Money') || e.type === 'AccountOpened') && /^acc-0.$/.test(e.stream)).slice(0, 25)
    expect(events.map((e) => e.position)).toEqual(expected.map((e) => e.position))
  })

  it('--where filters with the safe expression language over the event fields', async () => {
    const where = 'type == "MoneyWithdrawn" && data.amount > 100 && startsWith(meta.correlationId, "req-1") && version >= 3'
    const events = parseLines((await runCli(['tail', db, '--where', where])).stdout)
    const expected = all.filter((e) => e.type === 'MoneyWithdrawn' && e.data.amount > 100 && String(e.meta.correlationId).startsWith('req-1') && (e.version ?? 0) >= 3)
    expect(expected.length).toBeGreaterThan(0)
    expect(events.map((e) => e.position)).toEqual(expected.map((e) => e.position))
  })

  it('--upcasters lifts events before filtering', async () => {
    const upcasters = join(dir, 'upcasters.ts')
    const raw = parseLines((await runCli(['tail', db, '--type', 'FundsWithdrawn'])).stdout)
    expect(raw).toHaveLength(42)
    const lifted = await runCli(['tail', db, '--upcasters', upcasters, '--type', 'FundsWithdrawn'], { cwd: dir })
    expect(lifted.code).toBe(0)
    expect(lifted.stdout).toBe('')
    const deposits = parseLines((await runCli(['tail', db, '--upcasters', upcasters, '--type', 'MoneyDeposited'], { cwd: dir })).stdout)
    expect(deposits).toHaveLength(80 + 63 + 71)
    for (const e of deposits) {
      expect(e.schemaVersion).toBe(3)
      expect(e.data.amount).toEqual({ value: expect.any(Number), currency: expect.any(String) })
    }
  })

  it('--format json prints one JSON array; --json does the same', async () => {
    for (const args of [['--format', 'json'], ['--json']]) {
      const result = await runCli(['tail', db, '--from', '-3', ...args])
      expect(result.code).toBe(0)
      const parsed = JSON.parse(result.stdout)
      expect(parsed.map((e: Line) => e.position)).toEqual(all.slice(-3).map((e) => e.position))
    }
    const empty = await runCli(['tail', db, '--from', 'end', '--format', 'json'])
    expect(JSON.parse(empty.stdout)).toEqual([])
  })

  it('--template prints named tokens, nested paths, \\t and \\n; JSON values as JSON', async () => {
    const result = await runCli(['tail', db, '--from', '-2', '--template', '{position}\\t{type}\\t{stream}@{version}\\t{data}\\t{meta.correlationId}\\t[{data.nothing}]{{}}\\n--'])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    const [a, b] = all.slice(-2)
    expect(lines[0]).toBe(`${a.position}\t${a.type}\t${a.stream}@${a.version}\t${JSON.stringify(a.data)}\t${a.meta.correlationId}\t[]{}`)
    expect(lines[1]).toBe('--')
    expect(lines[2]).toBe(`${b.position}\t${b.type}\t${b.stream}@${b.version}\t${JSON.stringify(b.data)}\t${b.meta.correlationId}\t[]{}`)
    const amounts = await runCli(['tail', db, '--type', 'MoneyWithdrawn', '-n', '3', '--template', '{data.amount} {schemaVersion} {time}'])
    const withdrawn = all.filter((e) => e.type === 'MoneyWithdrawn').slice(0, 3)
    expect(amounts.stdout).toBe(withdrawn.map((e) => `${e.data.amount} ${e.schemaVersion} ${e.time}\n`).join(''))
  })

  it('--format pretty prints one aligned line per event', async () => {
    const result = await runCli(['tail', db, '--from', '-20', '--format', 'pretty'])
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(20)
    const events = all.slice(-20)
    // The type column starts at the same place on every line.
    const starts = lines.map((line, i) => line.indexOf(events[i].type))
    expect(new Set(starts).size).toBe(1)
    lines.forEach((line, i) => {
      expect(line.startsWith(events[i].time)).toBe(true)
      expect(line).toContain(`${events[i].stream}@${events[i].version}`)
      expect(line.endsWith(JSON.stringify(events[i].data))).toBe(true)
    })
  })

  it('stops quietly when the reader closes the pipe (| head)', async () => {
    const { spawnSync } = await import('node:child_process')
    const result = spawnSync('bash', ['-c', `node bin/run.js tail ${JSON.stringify(db)} | head -n 2; echo "exit=\${PIPESTATUS[0]}"`], { encoding: 'utf8' })
    expect(result.stdout.split('\n').filter((l) => l.startsWith('{'))).toHaveLength(2)
    expect(result.stdout).toMatch(/exit=0/)
    expect(result.stderr).toBe('')
  })
})

describe('tail bad input', () => {
  it('a --where syntax error exits 2 pointing at the column', async () => {
    const result = await runCli(['tail', db, '--where', 'data.amount > && type == "x"'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^rewind: --where: invalid expression at column 15: /)
    expect(result.stderr).toContain('data.amount > && type == "x"')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('a --where name that is not an event field exits 2 naming it', async () => {
    const result = await runCli(['tail', db, '--where', 'state.balance < 0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: --where: invalid expression at column 1:.*state/)
  })

  it('an unknown template token exits 2 listing the tokens', async () => {
    const result = await runCli(['tail', db, '--template', '{time} {amount}'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: --template .*unknown token \{amount\}; the tokens are \{time\}/)
  })

  it('a --from that is no position or time exits 2 with the accepted forms', async () => {
    const result = await runCli(['tail', db, '--from', 'yesterday-ish'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: --from "yesterday-ish" is not a position, offset or time; accepted: beginning, end, -N/)
  })

  it('offset:N and --partition are for Kafka', async () => {
    const offset = await runCli(['tail', db, '--from', 'offset:3'])
    expect(offset.code).toBe(2)
    expect(offset.stderr).toMatch(/offset:N is for Kafka topics; for a SQLite store give a position \(3 or position:3\)/)
    const partition = await runCli(['tail', db, '--partition', '1'])
    expect(partition.code).toBe(2)
    expect(partition.stderr).toMatch(/^rewind: --partition is for Kafka topics/)
  })

  it('--follow with --until exits 2', async () => {
    const result = await runCli(['tail', db, '-f', '--until', 'end'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: .*--until.*--follow|--follow.*--until/)
  })

  it('a missing store exits 2 naming it', async () => {
    const result = await runCli(['tail', join(dir, 'nope.db')])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/nope\.db: no such file/)
  })
})

describe('tail on NDJSON files', () => {
  let file: string
  beforeAll(() => {
    const work = tempDir()
    file = join(work, 'events.ndjson')
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({
      type: i % 3 === 0 ? 'OrderPlaced' : 'ItemAdded', stream: `order-${i % 4}`, time: `2024-05-01T10:${String(i).padStart(2, '0')}:00Z`, data: { n: i },
    }))
    lines.splice(4, 0, '') // a blank line counts as a line, not an event
    writeFileSync(file, `${lines.join('\n')}\n`)
  })

  it('positions are line numbers; -N, ranges and filters work as on SQLite', async () => {
    const every = parseLines((await runCli(['tail', file])).stdout)
    expect(every).toHaveLength(12)
    expect(every.slice(3, 6).map((e) => e.position)).toEqual([4, 6, 7])
    const last = parseLines((await runCli(['tail', file, '--from', '-2'])).stdout)
    expect(last.map((e) => e.data.n)).toEqual([10, 11])
    const range = parseLines((await runCli(['tail', file, '--from', '5', '--until', '8'])).stdout)
    expect(range.map((e) => e.position)).toEqual([6, 7, 8])
    const timed = parseLines((await runCli(['tail', file, '--from', '2024-05-01T10:05', '--type', 'OrderPlaced'])).stdout)
    expect(timed.map((e) => e.data.n)).toEqual([6, 9])
  })

  it('a line that is not JSON exits 2 naming file and line; --skip-invalid warns and goes on', async () => {
    const bad = join(tempDir(), 'bad.ndjson')
    writeFileSync(bad, '{"type":"A","data":{}}\n{"type": oops}\n{"type":"B","data":{}}\n')
    const failed = await runCli(['tail', bad])
    expect(failed.code).toBe(2)
    expect(failed.stderr).toMatch(/^rewind: .*bad\.ndjson:2: not valid JSON/)
    // The event before the bad line is printed first.
    expect(parseLines(failed.stdout).map((e) => e.type)).toEqual(['A'])
    const skipped = await runCli(['tail', bad, '--skip-invalid'])
    expect(skipped.code).toBe(0)
    expect(parseLines(skipped.stdout).map((e) => e.type)).toEqual(['A', 'B'])
    expect(skipped.stderr).toMatch(/^warning: .*bad\.ndjson:2: not valid JSON/)
  })
})

describe('tail of a big SQLite range as NDJSON (worker threads)', () => {
  let big: string
  const BAD = 30_000

  beforeAll(() => {
    big = join(tempDir(), 'big.db')
    const store = new Database(big)
    store.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id TEXT, version INTEGER, event_type TEXT, event_data TEXT, metadata TEXT, created_at TEXT)')
    const insert = store.prepare('INSERT INTO events (stream_id, version, event_type, event_data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    store.transaction(() => {
      for (let i = 1; i <= 45_000; i++) {
        // Now and then JSON with spaces, which is parsed and printed compact.
        const data = i === BAD ? '{"amount":' : i % 1000 === 0 ? `{ "amount": ${i} }` : `{"amount":${i},"note":"é ${i}"}`
        insert.run(`acc-${i % 97}`, Math.floor(i / 97) + 1, i % 2 === 0 ? 'MoneyDeposited' : 'MoneyWithdrawn', data, `{"correlationId":"c-${i}"}`, `2026-11-01 10:00:00.${String(i % 1000).padStart(3, '0')}`)
      }
    })()
    store.close()
  })

  it('prints the same bytes with 2 threads as with one, in position order, and the same events as the filtered path', async () => {
    const [two, one, filtered] = await Promise.all([
      runCli(['tail', big, '--skip-invalid'], { env: { REWIND_THREADS: '2' } }),
      runCli(['tail', big, '--skip-invalid'], { env: { REWIND_THREADS: '1' } }),
      // A filter that keeps everything takes the decoding path.
      runCli(['tail', big, '--skip-invalid', '--type', '*']),
    ])
    for (const run of [two, one, filtered]) expect(run.code).toBe(0)
    expect(two.stdout).toBe(one.stdout)
    const events = parseLines(two.stdout)
    expect(events).toHaveLength(44_999)
    expect(events.every((e, i) => i === 0 || e.position > events[i - 1].position)).toBe(true)
    expect(events.find((e) => e.position === 2000)?.data).toEqual({ amount: 2000 })
    expect(events).toEqual(parseLines(filtered.stdout))
    // The bad row: one warning, in both.
    for (const run of [two, one]) expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^warning: .*big\\.db: events row at position ${BAD}: .*not valid JSON`))])
  })

  it('without --skip-invalid, prints every event before the bad row, then exits 2 naming its position', async () => {
    for (const threads of ['2', '1']) {
      const result = await runCli(['tail', big], { env: { REWIND_THREADS: threads } })
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(new RegExp(`^rewind: .*big\\.db: events row at position ${BAD}: .*not valid JSON.*--skip-invalid`))
      expect(result.stderr).not.toMatch(/\n\s+at /)
      const printed = parseLines(result.stdout)
      expect(printed).toHaveLength(BAD - 1)
      expect(printed.every((e, i) => e.position === i + 1)).toBe(true)
    }
  })

  it('filtered, without --skip-invalid, also prints every matching event before the bad row', async () => {
    // BAD is not at a batch boundary: the decoding path reads 500 events a batch.
    const result = await runCli(['tail', big, '--type', 'MoneyDeposited'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`^rewind: .*big\\.db: events row at position ${BAD}: .*not valid JSON`))
    const printed = parseLines(result.stdout)
    expect(printed).toHaveLength((BAD - 1 - ((BAD - 1) % 2)) / 2)
    expect(printed.at(-1)!.position).toBe(BAD - 2)
  })

  it('a range of positions prints only that range', async () => {
    const result = await runCli(['tail', big, '--from', '100', '--until', '40000', '--skip-invalid'], { env: { REWIND_THREADS: '2' } })
    const events = parseLines(result.stdout)
    expect(events).toHaveLength(40_000 - 100)
    expect([events[0].position, events.at(-1)!.position]).toEqual([100, 40_000])
  })
})
