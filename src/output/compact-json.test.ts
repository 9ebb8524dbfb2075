import { describe, expect, it } from 'vitest'
import { isCompactJson } from './compact-json.js'

const parses = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe('isCompactJson', () => {
  it('accepts compact JSON of every kind of value', () => {
    for (const text of [
      '{}', '[]', '0', '-0', '12', '-3.25e+10', '1E-7', '1.5', 'true', 'false', 'null', '""', '"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\ude00"',
      '{"a":1,"b":[1,2,{"c":null}],"d":{"e":"f"}}', '[[[]]]', '{"":""}', '"é😀"', '12345678901234567890',
    ]) expect(isCompactJson(text), text).toBe(true)
  })

  it('refuses what JSON.parse refuses', () => {
    for (const text of [
      '', '{', '}', '[1,]', '{"a":1,}', '{"a"}', '{"a":}', '{a:1}', "{'a':1}", '01', '1.', '.5', '+1', '1e', '1e+', '-', '--1', 'tru', 'nul', 'True',
      '"abc', '"\\x"', '"\\u12"', '"\\u12G4"', '"a\u0001"', '"tab\there"', '{}{}', '[]]', '[1]x', '{"a":1}}', 'NaN', 'Infinity', '[,1]', '{,}', '{"a":1 "b":2}',
    ]) {
      expect(isCompactJson(text), text).toBe(false)
      expect(parses(text), text).toBe(false)
    }
  })

  it('refuses valid JSON with whitespace between tokens (it would not be one NDJSON line as stored)', () => {
    for (const text of [' {}', '{} ', '{"a": 1}', '[1, 2]', '{\n"a":1}', '{"a":1}\n', '\t1']) {
      expect(parses(text), text).toBe(true)
      expect(isCompactJson(text), text).toBe(false)
    }
    expect(isCompactJson('"a b\\n"')).toBe(true) // inside strings, spaces are the value
  })

  it('agrees with JSON.parse (and no whitespace) on every one-character change of a compact document', () => {
    const base = JSON.stringify({ id: 'e-1', amount: -12.5e3, ok: true, none: null, tags: ['a', 'b\n'], nested: { deep: [1, { x: 'ü' }] } })
    const alphabet = '{}[]":,\\ -+.0123456789eEtrufalsn\u0001xé'
    let checked = 0
    for (let i = 0; i <= base.length; i++) {
      for (const c of alphabet) {
        for (const text of [base.slice(0, i) + c + base.slice(i), base.slice(0, i) + c + base.slice(i + 1), base.slice(0, i) + base.slice(i + 1)]) {
          // Valid, and no whitespace outside its strings.
          const compact = parses(text) && !/\s/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))
          expect(isCompactJson(text), text).toBe(compact)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000)
  })

  it('gives up (false) on nesting deeper than 512 rather than overflowing', () => {
    expect(isCompactJson('['.repeat(512) + ']'.repeat(512))).toBe(true)
    expect(isCompactJson('['.repeat(513) + ']'.repeat(513))).toBe(false)
  })
})
