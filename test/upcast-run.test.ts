import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli, tempDir } from './helpers.js'

let demo: string
beforeAll(async () => {
  demo = await makeDemo()
})

const lines = (text: string) => text.trimEnd().split('\n').map((l) => JSON.parse(l))

describe('rewind upcast run', () => {
  it('prints every stored event at its latest version, envelope kept (upcasters from the config file)', async () => {
    const result = await runCli(['upcast', 'run', '@bank'], { cwd: demo })
    expect(result.code).toBe(0)
    const events = lines(result.stdout)
    expect(events).toHaveLength(394)
    const versions = new Set(events.map((e) => `${e.type} v${e.schemaVersion}`))
    expect([...versions].sort()).toEqual(['AccountOpened v1', 'MoneyDeposited v3', 'MoneyWithdrawn v2', 'StatementSent v1'])
    const first = events.find((e) => e.position === 18)
    expect(first).toMatchObject({ stream: 'acc-02', version: 2, type: 'MoneyDeposited', schemaVersion: 3, data: { amount: { value: 210, currency: 'EUR' } }, meta: { eventId: 'evt-sn-acmxaz' } })
  })

  it('filters and limits after upcasting, with the tail range and template flags', async () => {
    const result = await runCli(['upcast', 'run', 'bank.db', '--upcasters', 'upcasters.ts', '--from', '15', '--type', 'MoneyWithdrawn', '-n', '2', '--template', '{position} {type} v{schemaVersion} {data.amount}'], { cwd: demo })
    expect(result.code).toBe(0)
    // Position 22 was stored as FundsWithdrawn v1 (see the demo fixtures).
    expect(result.stdout).toBe('22 MoneyWithdrawn v2 127\n23 MoneyWithdrawn v2 179\n')
  })

  it('exits 2 with one line when no upcasters are given or configured', async () => {
    const dir = tempDir()
    const result = await runCli(['upcast', 'run', `${demo}/bank.db`, '-n', '1'], { cwd: dir })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('rewind: no upcasters: pass --upcasters FILE (or set "upcasters" in the config file)\n')
  })
})
