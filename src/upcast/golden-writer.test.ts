import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toEvent } from '../sources/file-source.js'
import type { FixtureCase } from './fixtures.js'
import { goldenLine, writeGolden } from './golden-writer.js'

const raw = { type: 'Deposited', schemaVersion: 1, stream: 'a', data: { amount: 5 } }
const input = { event: toEvent(raw, 'x.in.ndjson:1', 1), raw, line: 1 }

describe('goldenLine', () => {
  it('keeps what the input line named or the chain changed, and leaves out the defaults the reader filled', () => {
    const out = { ...input.event, schemaVersion: 2, data: { amount: 5, currency: 'EUR' } }
    expect(goldenLine(out, input)).toEqual({ type: 'Deposited', schemaVersion: 2, stream: 'a', data: { amount: 5, currency: 'EUR' } })
    expect(Object.keys(goldenLine({ ...out, meta: { eventId: 'new' } }, input))).toEqual(['type', 'schemaVersion', 'stream', 'data', 'meta'])
  })
})

describe('writeGolden', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-golden-'))
  const fixture = (expected?: FixtureCase['expected']): FixtureCase => ({ name: 'x', input: 'x.in.ndjson', golden: 'x.out.ndjson', goldenPath: join(dir, 'x.out.ndjson'), inputs: [input], expected })
  const out = { ...input.event, schemaVersion: 2, data: { amount: 5, currency: 'EUR' } }

  it('creates a missing golden', () => {
    expect(writeGolden(fixture(), [{ event: out, from: input }])).toEqual({ file: 'x.out.ndjson', status: 'created', changes: ['1 event'] })
    expect(JSON.parse(readFileSync(join(dir, 'x.out.ndjson'), 'utf8'))).toEqual({ type: 'Deposited', schemaVersion: 2, stream: 'a', data: { amount: 5, currency: 'EUR' } })
  })

  it('lists what changed in a stale golden, and leaves an equal one (in any key order) alone', () => {
    writeFileSync(join(dir, 'x.out.ndjson'), 'kept as is\n')
    const stale = writeGolden(fixture([{ expected: { type: 'Deposited', schemaVersion: 2, stream: 'a', data: { amount: 5 } }, line: 1 }]), [{ event: out, from: input }])
    expect(stale).toEqual({ file: 'x.out.ndjson', status: 'updated', changes: ['line 1: data.currency: added "EUR"'] })
    const same = writeGolden(fixture([{ expected: { data: { currency: 'EUR', amount: 5 }, stream: 'a', schemaVersion: 2, type: 'Deposited' }, line: 1 }]), [{ event: out, from: input }])
    expect(same.status).toBe('unchanged')
  })
})
