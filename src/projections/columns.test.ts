import { describe, expect, it } from 'vitest'
import { parseMapFlags, planColumns } from './columns.js'

const plan = (columns: string[], fields: string[], extra: { map?: string[]; ignore?: string[] } = {}) =>
  planColumns(columns, { key: columns[0], stateFields: new Set(fields), map: parseMapFlags(extra.map), ignore: extra.ignore, table: 'read.db#view' })

describe('planColumns', () => {
  it('matches same-name fields, snake_case to camelCase, version to the stream version, and lists the rest once', () => {
    const p = plan(['account_id', 'owner', 'last_transaction', 'version', 'updated_at'], ['owner', 'lastTransaction', 'balance'])
    expect(p.compared.map((c) => [c.column, c.target])).toEqual([
      ['owner', { kind: 'state', path: ['owner'] }],
      ['last_transaction', { kind: 'state', path: ['lastTransaction'] }],
      ['version', { kind: 'version' }],
    ])
    expect(p.uncompared).toEqual(['updated_at'])
    expect(p.keyIndex).toBe(0)
  })

  it('prefers a state field named version over the stream version, and maps a "state" column to the whole state', () => {
    const p = plan(['key', 'version', 'state'], ['version'])
    expect(p.compared.map((c) => c.target)).toEqual([{ kind: 'state', path: ['version'] }, { kind: 'state', path: [] }])
  })

  it('follows --map and --ignore, and rejects columns the table does not have', () => {
    const p = plan(['id', 'total', 'seen_at', 'note'], ['note'], { map: ['total=state.totals.balance', 'seen_at=@time'], ignore: ['note'] })
    expect(p.compared.map((c) => [c.column, c.target])).toEqual([
      ['total', { kind: 'state', path: ['totals', 'balance'] }],
      ['seen_at', { kind: 'time' }],
    ])
    expect(p.ignored).toEqual(['note'])
    expect(() => plan(['id', 'a'], [], { map: ['b=state.b'] })).toThrow(/read.db#view: no column "b" \(columns: id, a\)/)
    expect(() => parseMapFlags(['total'])).toThrow(/--map "total": expected COLUMN=state.path/)
  })
})
