/**
 * The compression codecs kafkajs leaves out (it decodes gzip only): Snappy, LZ4 and Zstandard,
 * the usual choices of the Java client and librdkafka. rewind only reads, so these are
 * decompressors, in plain JavaScript (snappyjs, lz4js, fzstd), loaded the first time a batch
 * needs one. Registered in kafkajs' codec table, which both kafkajs and fetch-response.ts use.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

interface Codec {
  compress(): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}
type CodecTable = Record<number, () => Codec>

const SNAPPY = 2
const LZ4 = 3
const ZSTD = 4

/** The Java client's Snappy framing (xerial snappy-java): a 16-byte header, then length-prefixed blocks. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])

export function unsnappy(buffer: Buffer): Buffer {
  const { uncompress } = require('snappyjs') as { uncompress(input: Uint8Array): Uint8Array }
  if (buffer.length < 16 || !buffer.subarray(0, 8).equals(XERIAL_MAGIC)) return toBuffer(uncompress(buffer))
  const blocks: Buffer[] = []
  for (let at = 16; at < buffer.length;) {
    const size = buffer.readInt32BE(at)
    at += 4
    if (size < 0 || at + size > buffer.length) throw new Error('Snappy (xerial) block runs past the end of the batch')
    blocks.push(toBuffer(uncompress(buffer.subarray(at, at + size))))
    at += size
  }
  return Buffer.concat(blocks)
}

export function unlz4(buffer: Buffer): Buffer {
  const { decompress } = require('lz4js') as { decompress(input: Uint8Array): Uint8Array }
  return toBuffer(decompress(buffer))
}

export function unzstd(buffer: Buffer): Buffer {
  const { decompress } = require('fzstd') as { decompress(input: Uint8Array): Uint8Array }
  return toBuffer(decompress(buffer))
}

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

function decompressor(name: string, decompress: (buffer: Buffer) => Buffer): () => Codec {
  const codec: Codec = {
    compress: () => Promise.reject(new Error(`${name} compression: rewind only reads`)),
    decompress: async (buffer) => {
      try {
        return decompress(buffer)
      } catch (error) {
        throw new Error(`a ${name} batch does not decompress: ${(error as Error).message}`)
      }
    },
  }
  return () => codec
}

/** Puts the decompressors in kafkajs' table (once per thread). */
export function registerCodecs(table: CodecTable): void {
  table[SNAPPY] = decompressor('Snappy', unsnappy)
  table[LZ4] = decompressor('LZ4', unlz4)
  table[ZSTD] = decompressor('Zstandard', unzstd)
}
