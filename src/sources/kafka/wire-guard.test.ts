import { describe, expect, it } from 'vitest'
import { frameProblem, visibleBytes } from './wire-guard.js'

const size = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

describe('frameProblem', () => {
  it('nothing while the responses are plausible, across chunk boundaries', () => {
    const frame = Buffer.concat([size(6), Buffer.from([0, 0, 0, 1, 7, 7])])
    expect(frameProblem([frame.subarray(0, 3), frame.subarray(3), size(100)])).toBeUndefined()
    expect(frameProblem([Buffer.from([0, 0])])).toBeUndefined()
  })
  it('a negative, tiny or huge size after a good response', () => {
    const good = Buffer.concat([size(4), Buffer.alloc(4)])
    expect(frameProblem([good, size(-1)])).toMatch(/^a response size of -1 bytes \(at least 4 expected\), beginning "\\xff\\xff\\xff\\xff"; is that address a Kafka listener\?$/)
    expect(frameProblem([size(2)])).toMatch(/size of 2 bytes/)
    expect(frameProblem([Buffer.from('HTTP/1.1 200 OK')])).toMatch(/size of 1213486160 bytes \(over the 256 MiB limit\), beginning "HTTP\/1.1 200 OK"/)
  })
  it('shows bytes without control characters or quotes', () => {
    expect(visibleBytes([0x1b, 0x5b, 0x32, 0x4a, 0x22, 0x5c])).toBe('"\\x1b[2J\\x22\\x5c"')
  })
})
