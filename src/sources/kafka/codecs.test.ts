import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { registerCodecs, unlz4, unsnappy } from './codecs.js'

const require = createRequire(import.meta.url)
const snappy = require('snappyjs') as { compress(input: Uint8Array): Uint8Array }
const lz4 = require('lz4js') as { compress(input: Uint8Array): Uint8Array }

const text = Buffer.from('{"type":"A","data":{"text":"the same words again and again"}}\n'.repeat(40))

describe('Kafka compression codecs', () => {
  it('Snappy: raw (librdkafka) and xerial-framed (the Java client) batches', () => {
    expect(unsnappy(Buffer.from(snappy.compress(text))).equals(text)).toBe(true)
    const half = text.length >> 1
    const blocks = [text.subarray(0, half), text.subarray(half)].map((b) => Buffer.from(snappy.compress(b)))
    const header = Buffer.concat([Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]), Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])])
    const framed = Buffer.concat([header, ...blocks.flatMap((b) => [lengthOf(b), b])])
    expect(unsnappy(framed).equals(text)).toBe(true)
  })

  it('LZ4 frames', () => {
    expect(unlz4(Buffer.from(lz4.compress(text))).equals(text)).toBe(true)
  })

  it('a corrupt batch fails with a message naming the codec, not a crash', async () => {
    const table: Record<number, () => { decompress(b: Buffer): Promise<Buffer> }> = {}
    registerCodecs(table as never)
    await expect(table[3]().decompress(Buffer.from('not lz4 at all'))).rejects.toThrow(/^a LZ4 batch does not decompress: /)
    await expect(table[4]().decompress(Buffer.from('not zstd at all'))).rejects.toThrow(/^a Zstandard batch does not decompress: /)
    await expect(table[2]().decompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]))).rejects.toThrow(/^a Snappy batch does not decompress: /)
  })
})

function lengthOf(block: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeInt32BE(block.length)
  return length
}
