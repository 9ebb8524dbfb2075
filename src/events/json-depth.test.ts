import { describe, expect, it } from 'vitest'
import { nestsDeeperThan } from './json-depth.js'

describe('nestsDeeperThan', () => {
  const nest = (levels: number) => '['.repeat(levels) + ']'.repeat(levels)
  it('counts arrays and objects, up to the limit and past it', () => {
    expect(nestsDeeperThan(nest(10), 10)).toBe(false)
    expect(nestsDeeperThan(nest(11), 10)).toBe(true)
    expect(nestsDeeperThan('{"a":'.repeat(11) + '1' + '}'.repeat(11), 10)).toBe(true)
  })
  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ s: '['.repeat(50) }), 10)).toBe(false)
    expect(nestsDeeperThan(JSON.stringify({ s: `\\"${'{'.repeat(50)}` }), 10)).toBe(false)
  })
})
