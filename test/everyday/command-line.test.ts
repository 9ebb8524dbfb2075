import { beforeAll, describe, expect, it } from 'vitest'
import { makeDemo, runCli } from '../helpers.js'

/** Issue #16, items 3-5: typos get a suggestion, flags go anywhere, usage errors keep their lines. */
let demo: string
const rewind = (args: string[]) => runCli(args, { cwd: demo })

beforeAll(async () => {
  demo = await makeDemo()
})

describe('typos', () => {
  it('a mistyped command is named as typed, with the nearest command and the line corrected', async () => {
    const result = await rewind(['stat', '@bank', 'acc-07'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('rewind: unknown command "stat"; did you mean "state"?\n  rewind state @bank acc-07\n')
    const topic = await rewind(['upcast', 'chek', 'upcaster-fixtures'])
    expect(topic.stderr.split('\n')[0]).toBe('rewind: unknown command "upcast chek"; did you mean "upcast check"?')
    expect(topic.stdout).toBe('')
  })

  it('asking for help on a typo, or a flag where the command goes, gets the same', async () => {
    const help = await rewind(['stat', '--help'])
    expect(help.code).toBe(2)
    expect(help.stderr).toBe('rewind: unknown command "stat"; did you mean "state"?\n  rewind state --help\n')
    const flag = await rewind(['--trac'])
    expect(flag.code).toBe(2)
    expect(flag.stderr.split('\n')[0]).toBe('rewind: unknown flag --trac; the command comes first (rewind COMMAND [flags])')
  })

  it('a command far from all lists the commands, and --json still gets one error document', async () => {
    const result = await rewind(['frobnicate', '@bank', '--json'])
    expect(result.code).toBe(2)
    expect(result.stderr.split('\n')[0]).toBe('rewind: unknown command "frobnicate"')
    expect(result.stderr).toMatch(/^commands: demo, diff, inspect, lag, replay, state, tail, upcast check, upcast run$/m)
    expect(JSON.parse(result.stdout).error.exitCode).toBe(2)
  })

  it.each([
    [['state', '@bank', 'acc-07', '--trac'], '--trac; did you mean --trace?', 'rewind state @bank acc-07 --trace'],
    [['tail', '@bank', '--fromat', 'ndjson'], '--fromat; did you mean --format?', 'rewind tail @bank --format ndjson'],
    [['tail', '@bank', '--limt=3'], '--limt; did you mean --limit?', 'rewind tail @bank --limit=3'],
  ])('%j: did you mean, and the line corrected', async (args, suggestion, corrected) => {
    const result = await rewind(args)
    expect(result.code).toBe(2)
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines[0]).toBe(`rewind: unknown flag ${suggestion}`)
    expect(lines[1]).toBe(`  ${corrected}`)
    expect(lines.at(-1)).toBe(`see rewind ${args[0]} --help`)
  })

  it('the corrected line runs', async () => {
    const typo = await rewind(['tail', '@bank', '-n', '2', '--fromat', 'ndjson'])
    const corrected = typo.stderr.split('\n')[1].trim().split(' ').slice(1)
    const result = await rewind(corrected)
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n')).toHaveLength(2)
  })
})

describe('flags before or after the arguments', () => {
  it('a repeatable flag before the source takes one value, not the source', async () => {
    const before = await rewind(['tail', '--type', 'MoneyDeposited', 'bank.db', '-n', '1'])
    const after = await rewind(['tail', 'bank.db', '-n', '1', '--type', 'MoneyDeposited'])
    expect(before.stderr).toBe('')
    expect(before.code).toBe(0)
    expect(JSON.parse(before.stdout).type).toBe('MoneyDeposited')
    expect(before.stdout).toBe(after.stdout)
  })

  it('replay --stream GLOB @bank, and a flag given twice keeps both values', async () => {
    const before = await rewind(['replay', '--stream', 'acc-0*', '@bank'])
    const after = await rewind(['replay', '@bank', '--stream', 'acc-0*'])
    expect(before.code).toBe(0)
    expect(before.stdout).toBe(after.stdout)
    expect(before.stdout.trim().split('\n').map((line) => JSON.parse(line).stream)).toEqual(['acc-01', 'acc-02', 'acc-03', 'acc-04', 'acc-05', 'acc-06', 'acc-07', 'acc-08', 'acc-09'])
    const twice = await rewind(['replay', '--stream', 'acc-01', '--stream', 'acc-02', '@bank'])
    expect(twice.stdout.trim().split('\n').map((line) => JSON.parse(line).stream)).toEqual(['acc-01', 'acc-02'])
  })

  it('diff and lag take their repeatable flags first too', async () => {
    const diff = await rewind(['diff', '--stream', 'acc-01', '--projection', 'sqlite:read.db#account_view', '--key', 'account_id', '@bank'])
    expect(diff.stderr).not.toMatch(/missing|unexpected/)
    expect([0, 1]).toContain(diff.code)
    const lag = await rewind(['lag', '--projection', 'account_view', '@bank', '--json'])
    expect(lag.code).toBe(0)
    expect(JSON.stringify(JSON.parse(lag.stdout))).toContain('account_view')
  })
})

describe('usage errors', () => {
  it('a missing argument is one line, the usage follows as lines', async () => {
    const result = await rewind(['state', '@bank'])
    expect(result.code).toBe(2)
    const lines = result.stderr.split('\n')
    expect(lines[0]).toBe('rewind: missing argument STREAM')
    expect(lines[1]).toBe('usage: rewind state SOURCE STREAM [flags]')
    expect(lines[2]).toMatch(/^  SOURCE  SQLite file, NDJSON file.*@name$/)
    expect(lines.slice(3)).toEqual(['  STREAM  Stream (aggregate) id', 'see rewind state --help', ''])
  })

  it('several missing flags: one line naming them, each below with what it is', async () => {
    const result = await rewind(['diff', '@bank'])
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines[0]).toBe('rewind: missing required flags --key and --projection')
    expect(lines[1]).toBe('usage: rewind diff SOURCE --projection PROJECTION --key KEY [flags]')
    expect(lines).toContain('  --key         Column holding the stream (aggregate) id')
    expect(result.stderr).not.toContain(';')
  })

  it('flags that exclude each other, a bad value, an extra argument: one line each', async () => {
    const excluded = await rewind(['state', '@bank', 'acc-07', '--at', 'now', '--version', '2'])
    expect(excluded.stderr.split('\n')[0]).toBe('rewind: --at and --version cannot be used together')
    const value = await rewind(['tail', '@bank', '-n', 'abc'])
    expect(value.stderr.split('\n')[0]).toBe('rewind: --limit: expected an integer but received: abc')
    const extra = await rewind(['tail', '@bank', 'extra'])
    expect(extra.stderr.split('\n').slice(0, 2)).toEqual(['rewind: unexpected argument "extra"', 'usage: rewind tail SOURCE [flags]'])
    for (const result of [excluded, value, extra]) expect(result.code).toBe(2)
  })

  it('--json: one error document holding the same lines', async () => {
    const result = await rewind(['state', '@bank', '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout)).toEqual({ error: { message: expect.stringMatching(/^missing argument STREAM\nusage: rewind state SOURCE STREAM \[flags\]\n/), exitCode: 2 } })
  })
})
