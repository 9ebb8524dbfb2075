import { describe, expect, it } from 'vitest'
import type { StreamState } from '../fold/replay.js'
import { fieldColumns, MAX_COLUMNS, schemaNote, writtenTargets } from './read-model-columns.js'

const states = (...list: Array<Record<string, unknown>>) => new Map(list.map((state, i) => [`s-${i}`, { state, version: 1, time: '' } as unknown as StreamState]))

describe('fieldColumns', () => {
  it('keeps names, suffixes a name taken ignoring ASCII case, replaces NUL and lone surrogates', () => {
    const { columns } = fieldColumns(states({ Version: 1, State: 'a', name: 'x', Name: 'y', NAME: 'z', 'a\u0000b': 1, Größe: 'L', GRÖSSE: 'M', '\ud800': 1, '\ufffd': 2, nested: {} }, { version_2: 't', flag: true, Version: 1.5 }))
    expect(columns.map((c) => [c.field, c.column, c.type])).toEqual([
      ['Version', 'Version_2', 'REAL'],
      ['State', 'State_2', 'TEXT'],
      ['name', 'name', 'TEXT'],
      ['Name', 'Name_2', 'TEXT'],
      ['NAME', 'NAME_3', 'TEXT'],
      ['a\u0000b', 'a_b', 'INTEGER'],
      ['Größe', 'Größe', 'TEXT'],
      ['GRÖSSE', 'GRÖSSE', 'TEXT'],
      ['\ud800', '\ufffd', 'INTEGER'],
      ['\ufffd', '\ufffd_2', 'INTEGER'],
      ['version_2', 'version_2_2', 'TEXT'],
      ['flag', 'flag', 'INTEGER'],
    ])
  })

  it('leaves fields beyond SQLite\'s column limit to the state column', () => {
    const wide: Record<string, number> = {}
    for (let i = 0; i < MAX_COLUMNS + 5; i++) wide[`f${i}`] = i
    const { columns, left } = fieldColumns(states(wide))
    expect(columns).toHaveLength(MAX_COLUMNS - 3)
    expect(left).toHaveLength(8)
  })
})

describe('schemaNote and writtenTargets', () => {
  it('round-trip the renamed columns through the CREATE TABLE text, whatever the field holds', () => {
    const { columns } = fieldColumns(states({ Version: 1, 'x\n-- "y"': 2, 'x\n-- "Y"': 3, plain: 4 }))
    const sql = `CREATE TABLE "t (" (${schemaNote(columns)}  key TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL)`
    expect(sql.split('\n')).toHaveLength(2)
    expect(writtenTargets(sql)).toEqual(new Map([
      ['version', { kind: 'version' }],
      ['state', { kind: 'state', path: [] }],
      ['Version_2', { kind: 'state', path: ['Version'] }],
      ['x\n-- "Y"_2', { kind: 'state', path: ['x\n-- "Y"'] }],
    ]))
    expect(writtenTargets('CREATE TABLE t (key TEXT, version INTEGER, state TEXT)')).toBeUndefined()
  })
})
