import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, makeDemo, runCli, tempDir } from '../helpers.js'

/** Issue #16 item 7 (and 10): replay's table is linear, in NDJSON's order, paged on a terminal only. */
let dir: string
let file: string

beforeAll(() => {
  dir = tempDir()
  file = join(dir, 'events.ndjson')
  // Streams first seen out of id order: b-2, a-10, c-1, a-9.
  const streams = ['b-2', 'a-10', 'c-1', 'a-9', 'b-2', 'a-10']
  writeFileSync(file, streams.map((stream, i) => JSON.stringify({ type: 'Set', stream, time: `2024-05-01T10:0${i}:00Z`, data: { n: i } })).join('\n') + '\n')
})

const tableStreams = (stdout: string) => stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[0])

describe('replay: one stream order for every format', () => {
  it('table, NDJSON, JSON and --out list the streams by id', async () => {
    const [table, ndjson, json] = await Promise.all(['table', 'ndjson', 'json'].map((format) => runCli(['replay', file, '--format', format])))
    const order = ['a-10', 'a-9', 'b-2', 'c-1']
    expect(tableStreams(table.stdout)).toEqual(order)
    expect(ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line).stream)).toEqual(order)
    expect(Object.keys(JSON.parse(json.stdout).states)).toEqual(order)
    const out = await runCli(['replay', file, '--out', `sqlite:${join(dir, 'out.db')}#states`])
    expect(out.stderr).toMatch(/^wrote 4 rows to /)
    const db = new Database(join(dir, 'out.db'), { readonly: true })
    expect(db.prepare('SELECT key FROM states ORDER BY rowid').pluck().all()).toEqual(order)
    db.close()
  })

  it('20,000 streams: every row, aligned, in id order, and the count with separators', async () => {
    const big = join(dir, 'big.ndjson')
    writeFileSync(big, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ type: 'Opened', stream: `account-${String(19_999 - i).padStart(5, '0')}`, data: { owner: `o${i}`, balance: i } })).join('\n') + '\n')
    const result = await runCli(['replay', big, '--format', 'table'])
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(20_001)
    expect(lines[0]).toBe('STREAM         VERSION  OWNER     BALANCE')
    expect(lines[1]).toBe('account-00000  1        "o19999"  19999')
    expect(lines[20_000]).toBe('account-19999  1        "o0"      0')
    expect(result.stderr).toBe('20,000 streams, 20,000 events folded\n')
  })
})

/** `rewind ARGS` in a pseudo-terminal of 5 rows (util-linux script), as the user's shell runs it. */
function inTerminal(args: string[], env: Record<string, string>): string {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const raw = execFileSync('script', ['-qec', `stty rows 5 cols 120; ${quoted}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 })
  // Lines as the screen ends up showing them: the progress bar is redrawn over with \r.
  return raw.split('\n').map((line) => stripVTControlCharacters(line.replace(/\r$/, '')).split('\r').at(-1)).join('\n')
}

describe('replay table through a pager, as git does', () => {
  let demo: string
  const pager = { REWIND_PAGER: "sed 's/^/paged: /'", PAGER: 'false' }
  beforeAll(async () => {
    demo = await makeDemo()
  })

  it('on a terminal, a table longer than the screen goes through REWIND_PAGER (else PAGER)', async () => {
    const screen = inTerminal(['replay', join(demo, 'bank.db'), '--format', 'table'], pager)
    expect(screen).toMatch(/^paged: STREAM +VERSION/m)
    expect(screen).toMatch(/^paged: acc-12 /m)
    const byPager = inTerminal(['replay', join(demo, 'bank.db'), '--format', 'table'], { PAGER: "sed 's/^/PAGER: /'" })
    expect(byPager).toMatch(/^PAGER: acc-01 /m)
  })

  it('--no-pager, PAGER=cat or a pipe print it as it is', async () => {
    const noPager = inTerminal(['replay', join(demo, 'bank.db'), '--format', 'table', '--no-pager'], pager)
    expect(noPager).not.toContain('paged:')
    expect(noPager).toMatch(/^acc-12 /m)
    const cat = inTerminal(['replay', join(demo, 'bank.db'), '--format', 'table'], { REWIND_PAGER: 'cat' })
    expect(cat).toMatch(/^acc-12 /m)
    const piped = await runCli(['replay', join(demo, 'bank.db'), '--format', 'table'], { env: pager })
    expect(piped.stdout).not.toContain('paged:')
    expect(tableStreams(piped.stdout)).toHaveLength(12)
  })

  it('a pager that does not exist: the table is printed anyway', async () => {
    const screen = inTerminal(['replay', join(demo, 'bank.db'), '--format', 'table'], { REWIND_PAGER: 'no-such-pager-rewind' })
    expect(screen).toMatch(/^acc-12 /m)
  })
})
