import Database from 'better-sqlite3'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli, tempDir } from './helpers.js'

let demo: string
beforeAll(async () => {
  demo = await makeDemo()
})

/** A temp dir with a copy of the demo's fixtures (as fx/) and the given files. */
function workspace(files: Record<string, string> = {}): string {
  const dir = tempDir('rewind-upcast-')
  cpSync(join(demo, 'upcaster-fixtures'), join(dir, 'fx'), { recursive: true })
  cpSync(join(demo, 'upcasters.ts'), join(dir, 'upcasters.ts'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

// The demo's chain, with one upcaster replaced.
const demoChain = (replace: { deposit1?: string; deposit2?: string; extra?: string }) => `export default [
  { type: 'MoneyDeposited', from: 1, to: 2, up: ${replace.deposit1 ?? "(e) => ({ ...e, data: { ...e.data, currency: 'EUR' } })"} },
  { type: 'MoneyDeposited', from: 2, to: 3, up: ${replace.deposit2 ?? '(e) => ({ ...e, data: { amount: { value: e.data.amount, currency: e.data.currency } } })'} },
  { type: 'FundsWithdrawn', from: 1, to: 2, up: (e) => ({ ...e, type: 'MoneyWithdrawn' }) },
  ${replace.extra ?? ''}
]
`

const json = (text: string) => JSON.parse(text)
const checksOf = (doc: { checks: Array<{ name: string; passed: boolean }> }) => Object.fromEntries(doc.checks.map((c) => [c.name, c.passed]))

describe('rewind upcast check on the demo', () => {
  it('passes its fixtures and names every check', async () => {
    const result = await runCli(['upcast', 'check', 'upcaster-fixtures', '--upcasters', 'upcasters.ts'], { cwd: demo })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    for (const line of ['✓ money-deposited/v1-gains-currency', '✓ money-deposited/v2-amount-becomes-object', '✓ funds-withdrawn-renamed', '✓ already-latest',
      '✓ chain complete', '✓ purity', '✓ determinism', '✓ latest unchanged', '✓ envelope preserved']) {
      expect(result.stdout).toContain(line)
    }
  })

  it('passes --against @bank: every stored type/version is upcast and covered by a fixture', async () => {
    const result = await runCli(['upcast', 'check', 'upcaster-fixtures', '--against', '@bank', '--json'], { cwd: demo })
    expect(result.code).toBe(0)
    const doc = json(result.stdout)
    expect(doc).toMatchObject({ cases: 4, passed: 4, failed: [], warnings: [] })
    expect(doc.against.events).toBe(394)
    expect(doc.against.pairs.map((p: { type: string; schemaVersion: number; count: number; failed: number; covered: boolean }) => [p.type, p.schemaVersion, p.count, p.failed, p.covered])).toEqual([
      ['AccountOpened', 1, 12, 0, true], ['FundsWithdrawn', 1, 42, 0, true], ['MoneyDeposited', 1, 80, 0, true], ['MoneyDeposited', 2, 63, 0, true],
      ['MoneyDeposited', 3, 71, 0, true], ['MoneyWithdrawn', 2, 96, 0, true], ['StatementSent', 1, 30, 0, true],
    ])
  })
})

describe('rewind upcast check catches each kind of failure (exit 1)', () => {
  it('an upcaster that mutates its input, named, with the fixture line', async () => {
    const dir = workspace({ 'up.mjs': demoChain({ deposit1: "(e) => { e.data.currency = 'EUR'; return e }" }) })
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--json'], { cwd: dir })
    expect(result.code).toBe(1)
    const doc = json(result.stdout)
    expect(checksOf(doc)).toMatchObject({ purity: false, determinism: true, 'chain complete': true })
    expect(doc.failed).toContainEqual(expect.objectContaining({
      case: 'money-deposited/v1-gains-currency', check: 'purity', file: 'fx/money-deposited/v1-gains-currency.in.ndjson', line: 1,
      upcaster: 'up.mjs #1 (MoneyDeposited v1->v2)',
    }))
  })

  it('a non-deterministic upcaster', async () => {
    const dir = workspace({ 'up.mjs': demoChain({ deposit2: '(e) => ({ ...e, data: { amount: { value: e.data.amount, currency: e.data.currency }, upcastId: Math.random() } })' }) })
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('✗ determinism')
    expect(result.stdout).toMatch(/determinism {2}fx\/money-deposited\/v2-amount-becomes-object\.in\.ndjson:1\n\s+up\.mjs #2 \(MoneyDeposited v2->v3\) gave different results for the same MoneyDeposited v2 on two runs\n\s+data\.upcastId: first run [\d.]+, second run [\d.]+/)
  })

  it('a gap in the chain, and two upcasters for one type and version', async () => {
    const gap = workspace({ 'up.mjs': 'export default [{ type: "MoneyDeposited", from: 2, to: 3, up: (e) => ({ ...e, data: { amount: { value: e.data.amount, currency: e.data.currency } } }) }]' })
    const gapped = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--json'], { cwd: gap })
    expect(gapped.code).toBe(1)
    expect(json(gapped.stdout).failed).toContainEqual(expect.objectContaining({
      check: 'chain complete', file: 'fx/money-deposited/v1-gains-currency.in.ndjson', line: 1,
      reason: 'MoneyDeposited v1: gap: no upcaster lifts MoneyDeposited from v1 (latest is v3)',
    }))

    const dup = workspace({ 'up.mjs': demoChain({ extra: "{ type: 'FundsWithdrawn', from: 1, to: 3, up: (e) => e }," }) })
    const duplicated = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--reporter', 'github'], { cwd: dup })
    expect(duplicated.code).toBe(1)
    expect(duplicated.stdout).toContain('::error file=up.mjs,title=upcast check%3A chain complete::two upcasters lift FundsWithdrawn from v1: up.mjs #3 (FundsWithdrawn v1->v2) and up.mjs #4 (FundsWithdrawn v1->v3)')
  })

  it('a wrong golden: the case file and line, and a structural diff', async () => {
    const dir = workspace()
    const golden = join(dir, 'fx/money-deposited/v2-amount-becomes-object.out.ndjson')
    const lines = readFileSync(golden, 'utf8').trimEnd().split('\n')
    const second = json(lines[1])
    second.data.amount.value = 389
    second.data.amount.currency = 'usd'
    writeFileSync(golden, `${lines[0]}\n${JSON.stringify(second)}\n`)
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'upcasters.ts'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain([
      '✗ money-deposited/v2-amount-becomes-object  2 events',
      '    golden  fx/money-deposited/v2-amount-becomes-object.out.ndjson:2',
      '      MoneyDeposited v3 from fx/money-deposited/v2-amount-becomes-object.in.ndjson:2 differs from the golden',
      '        data.amount.value: expected 389, got 388',
      '        data.amount.currency: expected "usd", got "USD"',
    ].join('\n'))
    expect(result.stdout).toMatch(/✗ 4 cases: 3 passed, 1 failed/)
  })

  it('a stored event the chain cannot upcast, with --against: the first failing position per type/version', async () => {
    const dir = workspace({
      'up.mjs': demoChain({ deposit1: "(e) => { if (e.data.amount > 400) throw new Error('too large for v2'); return { ...e, data: { ...e.data, currency: 'EUR' } } }" }),
    })
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--against', join(demo, 'bank.db'), '--json'], { cwd: dir })
    expect(result.code).toBe(1)
    const doc = json(result.stdout)
    const pair = doc.against.pairs.find((p: { type: string; schemaVersion: number }) => p.type === 'MoneyDeposited' && p.schemaVersion === 1)
    expect(pair.failed).toBeGreaterThan(0)
    expect(pair.firstFailure).toMatchObject({ upcaster: 'up.mjs #1 (MoneyDeposited v1->v2)', reason: expect.stringContaining('too large for v2') })
    expect(typeof pair.firstFailure.position).toBe('number')
    expect(doc.failed).toContainEqual(expect.objectContaining({ check: 'against', reason: expect.stringMatching(new RegExp(`^MoneyDeposited v1: ${pair.failed} of 80 stored events fail; first at position ${pair.firstFailure.position} `)) }))
    expect(doc.passed).toBe(4)
  })

  it('--against with --workers 3 reports what one thread reports: the same counts and the same first failure', async () => {
    const dir = workspace({
      'up.mjs': demoChain({ deposit1: "(e) => { if (e.data.amount > 400) throw new Error('too large for v2'); return { ...e, data: { ...e.data, currency: 'EUR' } } }" }),
    })
    const args = ['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--against', join(demo, 'bank.db'), '--json']
    const [one, three] = await Promise.all([runCli(args, { cwd: dir }), runCli([...args, '--workers', '3'], { cwd: dir })])
    expect(three.code).toBe(1)
    expect(three.stderr).toBe('')
    expect(json(three.stdout)).toEqual(json(one.stdout))
    expect(json(three.stdout).against.events).toBe(394)
  })

  it('on a big SQLite store, threads by default (REWIND_THREADS): the same report as --workers 1', async () => {
    const dir = workspace({
      'up.mjs': demoChain({ deposit1: "(e) => { if (e.data.amount > 400) throw new Error('too large for v2'); return { ...e, data: { ...e.data, currency: 'EUR' } } }" }),
    })
    // The demo's 394 events, 64 times over: 25,216 positions.
    const big = join(dir, 'big.db')
    const db = new Database(big)
    db.exec(`ATTACH '${join(demo, 'bank.db')}' AS demo`)
    db.exec((db.prepare(`SELECT sql FROM demo.sqlite_master WHERE name = 'events'`).pluck().get() as string).replace('CREATE TABLE events', 'CREATE TABLE main.events'))
    db.exec(`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 64)
      INSERT INTO events SELECT NULL, stream_id || '-' || n, version, event_type, schema_version, event_data, metadata, created_at FROM demo.events, k ORDER BY n, id`)
    db.close()
    const args = ['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--against', big, '--json']
    const [auto, one] = await Promise.all([runCli(args, { cwd: dir, env: { REWIND_THREADS: '3' } }), runCli([...args, '--workers', '1'], { cwd: dir })])
    expect(auto.code).toBe(1)
    expect(auto.stderr).toBe('')
    expect(json(auto.stdout).against.events).toBe(25_216)
    expect(json(auto.stdout)).toEqual(json(one.stdout))
    const bad = await runCli(args, { cwd: dir, env: { REWIND_THREADS: 'many' } })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^rewind: REWIND_THREADS "many": expected a number of threads, 1 to 4/)
  })
})

describe('rewind upcast check cannot run (exit 2, one line naming file and line)', () => {
  it('a fixture line that is not JSON', async () => {
    const dir = workspace()
    writeFileSync(join(dir, 'fx/broken.in.ndjson'), '{"type":"MoneyDeposited","schemaVersion":1,"data":{"amount":5}}\n{"type": MoneyDeposited}\n')
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'upcasters.ts'], { cwd: dir })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^rewind: fx\/broken\.in\.ndjson:2: not valid JSON \(.*\); each line must be one event object\n$/)
  })

  it('an upcaster module that does not load', async () => {
    const dir = workspace({ 'up.ts': 'export default [ { type: "X", from: 1, to: 2, up: (e) => e }' })
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.ts'], { cwd: dir })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: up\.ts: the upcaster module does not load: .+\n$/)
  })
})

describe('rewind upcast check --update', () => {
  it('writes missing goldens, refreshes stale ones, and lists what changed', async () => {
    const dir = workspace()
    const fresh = join(dir, 'fx/new-case.in.ndjson')
    writeFileSync(fresh, '{"type":"MoneyDeposited","schemaVersion":1,"stream":"acc-99","data":{"amount":7}}\n')
    const stale = join(dir, 'fx/funds-withdrawn-renamed.out.ndjson')
    writeFileSync(stale, readFileSync(stale, 'utf8').replace('"MoneyWithdrawn"', '"FundsWithdrawn"'))

    const before = await runCli(['upcast', 'check', 'fx', '--upcasters', 'upcasters.ts'], { cwd: dir })
    expect(before.code).toBe(1)
    expect(before.stdout).toContain('no golden file fx/new-case.out.ndjson; run with --update')

    const update = await runCli(['upcast', 'check', 'fx', '--upcasters', 'upcasters.ts', '--update'], { cwd: dir })
    expect(update.code).toBe(0)
    expect(update.stdout).toContain('created fx/new-case.out.ndjson (1 event)')
    expect(update.stdout).toContain('updated fx/funds-withdrawn-renamed.out.ndjson\n    line 1: type: "FundsWithdrawn" -> "MoneyWithdrawn"')
    expect(update.stdout).toContain('3 golden files unchanged')
    expect(json(readFileSync(join(dir, 'fx/new-case.out.ndjson'), 'utf8'))).toEqual({ type: 'MoneyDeposited', schemaVersion: 3, stream: 'acc-99', data: { amount: { value: 7, currency: 'EUR' } } })

    const after = await runCli(['upcast', 'check', 'fx', '--upcasters', 'upcasters.ts', '--json'], { cwd: dir })
    expect(after.code).toBe(0)
    expect(json(after.stdout)).toMatchObject({ cases: 5, passed: 5, failed: [] })
  })
})

describe('rewind upcast check --update with a bad chain', () => {
  it('leaves the goldens of cases an impure upcaster touched as they are', async () => {
    const dir = workspace({ 'up.mjs': demoChain({ deposit1: '(e) => { e.data.currency = "EUR"; return e }' }) })
    const golden = join(dir, 'fx/money-deposited/v1-gains-currency.out.ndjson')
    const before = readFileSync(golden, 'utf8')
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--update'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('1 golden file not written: the upcasters failed, or were impure or non-deterministic, on those cases')
    expect(readFileSync(golden, 'utf8')).toBe(before)
  })
})

describe('rewind upcast check reporters', () => {
  it('junit: a suite per fixture file, a case per golden and per check; the golden is skipped when an upcaster failed', async () => {
    const dir = workspace({ 'up.mjs': demoChain({ deposit1: "(e) => { e.data.currency = 'EUR'; return e }" }) })
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'up.mjs', '--reporter', 'junit'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="rewind upcast check" tests="25" failures="1" errors="0" skipped="1"/)
    expect(result.stdout).toContain('<testsuite name="fx/money-deposited/v1-gains-currency.in.ndjson" tests="6" failures="1" errors="0" skipped="1"')
    expect(result.stdout).toMatch(/<testcase classname="money-deposited\/v1-gains-currency" name="purity" file="fx\/money-deposited\/v1-gains-currency.in.ndjson">\s*<failure message="up.mjs #1 \(MoneyDeposited v1->v2\) changed its input MoneyDeposited v1 \(inputs are frozen\)/)
  })

  it('text warns on stderr about stored type/versions no fixture covers', async () => {
    const dir = tempDir('rewind-upcast-')
    cpSync(join(demo, 'upcaster-fixtures/funds-withdrawn-renamed.in.ndjson'), join(dir, 'fw.in.ndjson'))
    cpSync(join(demo, 'upcaster-fixtures/funds-withdrawn-renamed.out.ndjson'), join(dir, 'fw.out.ndjson'))
    const result = await runCli(['upcast', 'check', '.', '--upcasters', join(demo, 'upcasters.ts'), '--against', join(demo, 'bank.db')], { cwd: dir })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('warning: MoneyDeposited v1 (80 events in ')
    expect(result.stderr).toContain('no fixture covers it')
    expect(result.stderr).not.toContain('FundsWithdrawn v1')
  })
})
