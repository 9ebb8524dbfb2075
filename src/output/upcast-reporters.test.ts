import { describe, expect, it } from 'vitest'
import type { UpcastCheckReport } from '../upcast/report.js'
import { renderUpcastGithub } from './upcast-github.js'
import { renderUpcastJunit } from './upcast-junit.js'

const report: UpcastCheckReport = {
  dir: 'fx',
  upcasters: { file: 'up.ts', count: 1, latest: { Deposited: 2 } },
  cases: [
    {
      name: 'ok', input: 'fx/ok.in.ndjson', golden: 'fx/ok.out.ndjson', inputEvents: 1, outputEvents: 1, failures: [],
    },
    {
      name: 'bad', input: 'fx/bad.in.ndjson', golden: 'fx/bad.out.ndjson', inputEvents: 1, outputEvents: 1,
      failures: [
        { case: 'bad', check: 'golden', file: 'fx/bad.out.ndjson', line: 2, reason: 'Deposited v2 from fx/bad.in.ndjson:1 differs from the golden', diff: [{ path: 'data.amount', kind: 'changed', expected: 1, actual: 2 }] },
        { case: 'bad', check: 'purity', file: 'fx/bad.in.ndjson', line: 1, upcaster: 'up.ts #1', reason: 'up.ts #1 changed its input, 100%: bad' },
      ],
    },
  ],
  chain: [],
  checks: [],
  against: { source: 'bank.db', events: 3, failed: 1, pairs: [
    { type: 'Deposited', schemaVersion: 1, count: 2, failed: 1, covered: true, firstFailure: { position: 9, stream: 's', reason: 'boom' } },
    { type: 'Opened', schemaVersion: 1, count: 1, failed: 0, covered: false },
  ] },
  warnings: ['Opened v1: no fixture covers it'],
  failures: [],
}
report.failures = [...report.cases[1].failures, { case: 'bank.db Deposited v1', check: 'against', reason: 'Deposited v1: 1 of 2 stored events fail' }]

describe('renderUpcastJunit', () => {
  const xml = renderUpcastJunit(report)
  const suite = (name: string) => new RegExp(`<testsuite name="${name}" tests="(\\d+)" failures="(\\d+)"`).exec(xml)

  it('has a suite per fixture file with a case for the golden and one per check', () => {
    expect(suite('fx/ok.in.ndjson')?.slice(1)).toEqual(['6', '0'])
    expect(suite('fx/bad.in.ndjson')?.slice(1)).toEqual(['6', '2'])
    expect(xml).toContain('name="matches fx/bad.out.ndjson"')
    for (const check of ['chain complete', 'purity', 'determinism', 'latest unchanged', 'envelope preserved']) expect(xml).toContain(`classname="bad" name="${check}"`)
  })

  it('puts the location and the diff into the failure text', () => {
    expect(xml).toContain('fx/bad.out.ndjson:2\nDeposited v2 from fx/bad.in.ndjson:1 differs from the golden\n  data.amount: expected 1, got 2')
  })

  it('has a suite for the upcaster module and one for --against with a case per type/version', () => {
    expect(suite('up.ts')?.slice(1)).toEqual(['1', '0'])
    expect(suite('against bank.db')?.slice(1)).toEqual(['2', '1'])
    expect(xml).toContain('name="Opened v1 (1 events)"')
  })
})

describe('renderUpcastGithub', () => {
  const lines = renderUpcastGithub(report).split('\n')

  it('prints one ::error per failure with file, line and an escaped message', () => {
    expect(lines[0]).toBe('::error file=fx/bad.out.ndjson,line=2,title=upcast check%3A golden::Deposited v2 from fx/bad.in.ndjson:1 differs from the golden%0A  data.amount: expected 1, got 2')
    expect(lines[1]).toBe('::error file=fx/bad.in.ndjson,line=1,title=upcast check%3A purity::up.ts #1 changed its input, 100%25: bad')
    expect(lines[2]).toBe('::error title=upcast check%3A against::Deposited v1: 1 of 2 stored events fail')
  })

  it('prints warnings as ::warning', () => {
    expect(lines[3]).toBe('::warning title=upcast check::Opened v1: no fixture covers it')
  })
})
