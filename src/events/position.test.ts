import { describe, expect, it } from 'vitest'
import { eventPosition, exactPosition, maxPosition, nextPosition } from './position.js'

describe('exact positions', () => {
  it('numbers while they are exact, BigInts beyond 2^53', () => {
    expect(exactPosition('42')).toBe(42)
    expect(exactPosition('9007199254740991')).toBe(9007199254740991)
    expect(exactPosition('9007199254740993')).toBe(9007199254740993n)
    expect(exactPosition(12n)).toBe(12)
  })
  it('the next position crosses 2^53 exactly; max compares numbers with BigInts', () => {
    expect(nextPosition(9007199254740991)).toBe(9007199254740992n)
    expect(nextPosition(9007199254740993n)).toBe(9007199254740994n)
    expect(maxPosition(5, 9007199254740993n)).toBe(9007199254740993n)
    expect(eventPosition(9007199254740993n)).toBe('9007199254740993')
  })
})
