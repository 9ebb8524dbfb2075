import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { ROOT, runCli, tempDir } from './helpers.js'

const require = createRequire(import.meta.url)

/**
 * Stores written by the real libraries (fixtures/real, with the scripts that wrote them):
 * rewind's state must equal what each library's own aggregate loading returned.
 */
interface ExpectedStream {
  state: unknown
  version: number
  events: number
  atVersion: Record<string, unknown>
  mergedState?: unknown
}

let dir: string
beforeAll(() => {
  // WAL-mode stores get -wal/-shm sidecars when opened: read copies, not the committed files.
  dir = tempDir('rewind-real-')
  cpSync(join(ROOT, 'fixtures', 'real'), dir, { recursive: true, filter: (src) => !src.includes('node_modules') })
})

const expected = (name: string) => require(join(ROOT, 'fixtures', 'real', name, 'expected.json')) as { streams: Record<string, ExpectedStream> }
const state = async (store: string, stream: string, extra: string[] = []) => {
  const result = await runCli(['state', store, stream, '--json', ...extra], { cwd: dir })
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout)
}

describe.each(['emmett', 'emmett-0.38'])('Emmett SQLite store (%s)', (name) => {
  const streams = Object.entries(expected(name).streams)

  it('is recognised as the emmett preset, with its processor checkpoint', async () => {
    const result = await runCli(['inspect', join(dir, name, 'emmett.db'), '--json'])
    const summary = JSON.parse(result.stdout)
    expect(summary).toMatchObject({ preset: 'emmett', events: 25, streams: 4, lastPosition: 25 })
    expect(summary.types.every((t: { schemaVersion: number }) => t.schemaVersion === 1)).toBe(true)
    expect(summary.checkpoints).toEqual([expect.objectContaining({ name: 'account_balances', position: 17 })])
  })

  it.each(streams)('state of %s equals aggregateStream() with a merging evolve, at every version', async (stream, want) => {
    const store = join(dir, name, 'emmett.db')
    const got = await state(store, stream)
    expect(got.state).toEqual(want.state)
    expect(got.version).toBe(want.version)
    expect(got.events).toBe(want.events)
    for (const [version, atVersion] of Object.entries(want.atVersion)) {
      expect((await state(store, stream, ['--version', version])).state).toEqual(atVersion)
    }
  })
})

describe('Python eventsourcing store', () => {
  const streams = Object.entries(expected('eventsourcing').streams)

  it('is recognised, with class_version as the schema version and the tracking table minus __migration__', async () => {
    const result = await runCli(['inspect', join(dir, 'eventsourcing', 'eventsourcing.db'), '--json'])
    const summary = JSON.parse(result.stdout)
    expect(summary).toMatchObject({ preset: 'eventsourcing', events: 21, streams: 3 })
    expect(summary.types).toContainEqual({ type: 'bankaccounts:BankAccount.AddressChanged', schemaVersion: 2, count: 2 })
    expect(summary.checkpoints).toEqual([expect.objectContaining({ table: 'tracking', name: 'BankAccounts', position: 16 })])
  })

  it.each(streams)('state of %s equals repository.get() with a reducer mirroring the aggregate, at every version', async (stream, want) => {
    const store = join(dir, 'eventsourcing', 'eventsourcing.db')
    const reducer = join(dir, 'eventsourcing', 'reducer.mjs')
    const got = await state(store, stream, ['--reducer', reducer])
    expect(got.state).toEqual(want.state)
    expect(got.version).toBe(want.version)
    for (const [version, atVersion] of Object.entries(want.atVersion)) {
      expect((await state(store, stream, ['--reducer', reducer, '--version', version])).state).toEqual(atVersion)
    }
    // Without a reducer, the merge of each event's own attributes.
    expect((await state(store, stream)).state).toEqual(want.mergedState)
  })

  it('replay --workers 2 prints what one thread prints (the threads keep the preset)', async () => {
    const store = join(dir, 'eventsourcing', 'eventsourcing.db')
    const [one, two] = await Promise.all([runCli(['replay', store, '--json']), runCli(['replay', store, '--json', '--workers', '2'])])
    expect(two.stderr).toBe('')
    expect(Object.keys(JSON.parse(two.stdout).states)).toHaveLength(3)
    // The same text: streams in the order one thread meets them (these ids do not sort that way).
    expect(two.stdout).toBe(one.stdout)
  })

  it('a compressed store is a clear error, not garbage', async () => {
    const store = join(dir, 'eventsourcing', 'eventsourcing-compressed.db')
    const result = await runCli(['replay', store, '--json'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/stored_events row at position 1: state is not JSON: the store is compressed or encrypted/)
  })
})
