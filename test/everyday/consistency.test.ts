import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli, tempDir } from '../helpers.js'

/** Issue #16 item 10: the small inconsistencies between commands. */
let demo: string

beforeAll(async () => {
  demo = await makeDemo()
})

describe('the same thing shown the same way', () => {
  it('tail --format pretty and inspect show a schema version alike (v1 left out)', async () => {
    // The events as stored: the demo's config would upcast them all to their latest version.
    const [inspect, tail] = await Promise.all([
      runCli(['inspect', 'bank.db', '--config', '/dev/null'], { cwd: demo }),
      runCli(['tail', 'bank.db', '--config', '/dev/null', '--format', 'pretty', '--type', 'MoneyDeposited', '--type', 'AccountOpened'], { cwd: demo }),
    ])
    expect(inspect.stdout).toMatch(/^MoneyDeposited v2 +63$/m)
    expect(inspect.stdout).toMatch(/^AccountOpened +12$/m)
    expect(tail.stdout).toMatch(/ MoneyDeposited v2 +acc-/)
    expect(tail.stdout).toMatch(/ AccountOpened +acc-/)
    expect(inspect.stdout + tail.stdout).not.toMatch(/\bv1\b/)
  })

  it('counts in text have thousands separators, JSON has plain numbers', async () => {
    const dir = tempDir()
    const file = join(dir, 'events.ndjson')
    writeFileSync(file, Array.from({ length: 1_200 }, (_, i) => JSON.stringify({ type: 'Opened', stream: `s-${i}`, data: { n: i } })).join('\n') + '\n')
    const [table, out, json] = await Promise.all([
      runCli(['replay', file, '--format', 'table']),
      runCli(['replay', file, '--out', `sqlite:${join(dir, 'out.db')}#t`]),
      runCli(['replay', file, '--json']),
    ])
    expect(table.stderr).toBe('1,200 streams, 1,200 events folded\n')
    expect(out.stderr).toMatch(/^wrote 1,200 rows to /)
    expect(JSON.parse(json.stdout)).toMatchObject({ streams: 1200, events: 1200 })
    const inspect = await runCli(['inspect', file])
    expect(inspect.stdout).toMatch(/^events +1,200 in 1,200 streams$/m)
  })

  it('paths from the config file are shown from here, not made absolute', async () => {
    const sub = join(demo, 'sub')
    mkdirSync(sub, { recursive: true })
    const [here, below, unknown, state] = await Promise.all([
      runCli(['inspect', '@bank'], { cwd: demo }),
      runCli(['inspect', '@bank'], { cwd: sub }),
      runCli(['tail', '@nope'], { cwd: sub }),
      runCli(['diff', '@bank', '--projection', 'sqlite:read.db#account_view', '--key', 'account_id'], { cwd: demo }),
    ])
    expect(here.stdout.split('\n')[0]).toBe('source     bank.db (sqlite, preset simple)')
    expect(below.stdout.split('\n')[0]).toBe('source     ../bank.db (sqlite, preset simple)')
    expect(unknown.stderr).toBe('rewind: unknown source @nope: ../.rewindrc.json defines @bank\n')
    expect(state.stdout.split('\n')[0]).toBe('read.db#account_view vs replay of bank.db up to the head')
    expect(here.stdout + below.stdout + unknown.stderr + state.stdout).not.toContain(demo)
  })
})
