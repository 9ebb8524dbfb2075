import { describe, expect, it } from 'vitest'
import { editDistance, nearest, shellWord } from './suggest.js'
import { unknownCommand } from './unknown-command.js'

const IDS = ['demo', 'diff', 'inspect', 'lag', 'replay', 'state', 'tail', 'upcast:check', 'upcast:run']

describe('nearest names to a typo', () => {
  it('counts a swap of two letters as one step', () => {
    expect(editDistance('fromat', 'format')).toBe(1)
    expect(editDistance('limt', 'limit')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
  })

  it('suggests the flags users mistype, and nothing for a word that is far from all', () => {
    const flags = ['trace', 'blame', 'format', 'limit', 'from', 'follow', 'stream', 'stream-path', 'type', 'json']
    expect(nearest('trac', flags)).toEqual(['trace'])
    expect(nearest('fromat', flags)).toEqual(['format'])
    expect(nearest('limt', flags)).toEqual(['limit'])
    expect(nearest('JSON', flags)).toEqual(['json'])
    expect(nearest('zzz', flags)).toEqual([])
  })

  it('quotes arguments for a shell only when they need it', () => {
    expect(shellWord('@bank')).toBe('@bank')
    expect(shellWord('acc-0*')).toBe("'acc-0*'")
    expect(shellWord("it's")).toBe("'it'\\''s'")
  })
})

describe('unknown commands', () => {
  it('names the word as typed, not joined with the arguments, and corrects the line', () => {
    expect(unknownCommand(['stat', '@bank', 'acc-07'], IDS)).toEqual({ headline: 'unknown command "stat"; did you mean "state"?', detail: '  rewind state @bank acc-07' })
    expect(unknownCommand(['upcast', 'chek', 'dir', '--json'], IDS)?.detail).toBe('  rewind upcast check dir --json')
    expect(unknownCommand(['check', 'dir'], IDS)?.headline).toBe('unknown command "check"; did you mean "upcast check"?')
  })

  it('lists the commands when none is near', () => {
    expect(unknownCommand(['@bank'], IDS)?.detail).toMatch(/^commands: demo, diff, .*upcast check, upcast run\n/)
    expect(unknownCommand(['upcast', 'zzz'], IDS)?.detail).toMatch(/^commands: upcast check, upcast run\n/)
  })

  it('leaves commands, topics and flags to oclif', () => {
    expect(unknownCommand(['state', 'x', 'y'], IDS)).toBeUndefined()
    expect(unknownCommand(['upcast'], IDS)).toBeUndefined()
    expect(unknownCommand(['upcast', 'run', 'x'], IDS)).toBeUndefined()
    expect(unknownCommand([], IDS)).toBeUndefined()
  })

  it('a flag where the command goes: the command comes first', () => {
    expect(unknownCommand(['--trac', 'x'], IDS)?.headline).toBe('unknown flag --trac; the command comes first (rewind COMMAND [flags])')
  })
})
