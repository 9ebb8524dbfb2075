import { describe, expect, it } from 'vitest'
import type { Upcaster } from './chain.js'
import { analyzeChain, gapFor } from './completeness.js'

const u = (type: string, from: number, to: number, n: number): Upcaster => ({ type, from, to, up: (e) => e, label: `m #${n} (${type} v${from}->v${to})` })

describe('analyzeChain', () => {
  it('finds the latest version of each type and no problems in a full chain', () => {
    const shape = analyzeChain([u('A', 1, 2, 1), u('A', 2, 3, 2), u('B', 1, 3, 3)])
    expect(Object.fromEntries(shape.latest)).toEqual({ A: 3, B: 3 })
    expect(shape.problems).toEqual([])
  })

  it('names both upcasters of a duplicate type+from and runs only the first', () => {
    const shape = analyzeChain([u('A', 1, 2, 1), u('A', 1, 3, 2)])
    expect(shape.problems).toEqual([expect.objectContaining({ kind: 'duplicate', type: 'A', version: 1, upcasters: ['m #1 (A v1->v2)', 'm #2 (A v1->v3)'] })])
    expect(shape.runnable).toHaveLength(1)
  })

  it('finds a gap between two upcasters', () => {
    const shape = analyzeChain([u('A', 1, 2, 1), u('A', 3, 4, 2)])
    expect(shape.problems).toEqual([expect.objectContaining({ kind: 'gap', type: 'A', version: 2, message: expect.stringContaining('no upcaster lifts A from v2 (latest is v4)') })])
  })
})

describe('gapFor', () => {
  it('is undefined at or above the latest version and for types without upcasters', () => {
    const latest = new Map([['A', 3]])
    expect(gapFor('A', 3, latest)).toBeUndefined()
    expect(gapFor('B', 1, latest)).toBeUndefined()
    expect(gapFor('A', 1, latest)).toMatch(/no upcaster lifts A from v1/)
  })
})
