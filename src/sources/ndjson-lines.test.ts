import { describe, expect, it } from 'vitest'
import { LineSplitter, parseMaxLineBytes } from './ndjson-lines.js'

function split(text: string, chunkSizes: number[], max?: number): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = []
  const splitter = new LineSplitter('x.ndjson', max)
  const take = (bytes: Buffer, start: number, end: number, line: number) => lines.push({ text: bytes.toString('utf8', start, end), line })
  const bytes = Buffer.from(text)
  // One buffer reused for every chunk, as file-tail reads: kept pieces must be copies.
  const scratch = Buffer.alloc(64)
  let offset = 0
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.min(chunkSizes[i % chunkSizes.length], bytes.length - offset)
    bytes.copy(scratch, 0, offset, offset + size)
    splitter.push(scratch.subarray(0, size), take)
    scratch.fill(0x7a)
    offset += size
  }
  splitter.end(take)
  return lines
}

describe('LineSplitter', () => {
  const text = '{"a":1}\n\n{"b":"ü long line that spans chunks"}\r\n{"c":3}\r{"d":4}\r\r{"e":5}'
  // Lines end at LF, CRLF or a lone CR, as readline splits them (CRLF is one line end).
  const expected = text.split(/\r\n|\r|\n/).map((t, i) => ({ text: t, line: i + 1 }))

  it('gives the same lines and line numbers whatever the chunk sizes', () => {
    for (const sizes of [[1], [2, 3], [7], [64], [5, 1, 13]]) expect(split(text, sizes)).toEqual(expected)
  })

  it('fails on a line longer than the cap, naming file and line, before its newline arrives', () => {
    expect(() => split('{"a":1}\n' + 'x'.repeat(100), [10], 50)).toThrow(/^x\.ndjson:2: line 2 is longer than 50 bytes .*--max-line-bytes/)
    expect(split('{"a":1}\n' + 'x'.repeat(50) + '\n', [10], 50).map((l) => l.text.length)).toEqual([7, 50])
  })

  it('reads --max-line-bytes with binary units and refuses what Node cannot hold', () => {
    expect(parseMaxLineBytes(undefined)).toBe(64 * 1024 * 1024)
    expect(parseMaxLineBytes('256MiB')).toBe(256 * 1024 * 1024)
    expect(parseMaxLineBytes('1k')).toBe(1024)
    expect(parseMaxLineBytes('1000')).toBe(1000)
    expect(() => parseMaxLineBytes('1GiB')).toThrow(/--max-line-bytes "1GiB": expected a size from 1 byte to 512MiB/)
    expect(() => parseMaxLineBytes('lots')).toThrow(/expected a size/)
  })
})
