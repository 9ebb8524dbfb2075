/**
 * Fetch (v11) responses read straight from their bytes. kafkajs' own decoder builds a decoder
 * object, two Long numbers and their strings, and a spread headers object for every record,
 * which made it the largest single cost of `tail` on a big topic. This reads record batches
 * (message format v2) in one pass; legacy message sets (format v0/v1) still go to kafkajs.
 *
 * Semantics follow the Java consumer (read_committed): records below the fetch offset are
 * skipped (the broker answers from the start of a batch), control batches are skipped, and
 * batches of aborted transactions are dropped using the response's aborted-transaction list.
 */
import { createRequire } from 'node:module'
import { registerCodecs } from './codecs.js'
import type { KafkaRecord } from './kafka-client.js'

const require = createRequire(import.meta.url)

interface Codec {
  decompress(buffer: Buffer): Promise<Buffer>
}
const compression = require('kafkajs/src/protocol/message/compression/index.js') as { Codecs: Parameters<typeof registerCodecs>[0]; lookupCodecByAttributes(attributes: number): Codec | null }
registerCodecs(compression.Codecs)
const { lookupCodecByAttributes } = compression

/** One partition of a fetch response; its record set is read later (planRecordSet, readBatches). */
export interface FetchedPartition {
  partition: number
  errorCode: number
  highWatermark: string
  lastStableOffset: string
  abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }>
  /** The record set's bytes (no length prefix). */
  recordSet: Buffer
}

export interface FetchResponse {
  throttleTime: number
  clientSideThrottleTime: number
  errorCode: number
  sessionId: number
  responses: Array<{ topicName: string; partitions: FetchedPartition[] }>
}

/**
 * Fetch Response v11 => throttle_time_ms error_code session_id [topic [partition error_code
 * high_watermark last_stable_offset log_start_offset [aborted_transactions: producer_id
 * first_offset] preferred_read_replica records]]. Same result shape as kafkajs' decoder where its
 * error check (parse) looks: topicName, partition, errorCode.
 */
export function decodeFetchResponseV11(payload: Buffer): FetchResponse {
  let at = 0
  const clientSideThrottleTime = payload.readInt32BE(at)
  const errorCode = payload.readInt16BE(at + 4)
  const sessionId = payload.readInt32BE(at + 6)
  at += 10
  const topicCount = payload.readInt32BE(at)
  at += 4
  const responses: FetchResponse['responses'] = []
  for (let t = 0; t < topicCount; t++) {
    const nameLength = payload.readInt16BE(at)
    at += 2
    const topicName = payload.toString('utf8', at, at + nameLength)
    at += nameLength
    const partitionCount = payload.readInt32BE(at)
    at += 4
    const partitions: FetchedPartition[] = []
    for (let p = 0; p < partitionCount; p++) {
      const partition = payload.readInt32BE(at)
      const partitionError = payload.readInt16BE(at + 4)
      const highWatermark = payload.readBigInt64BE(at + 6).toString()
      const lastStableOffset = payload.readBigInt64BE(at + 14).toString()
      at += 30 // and log_start_offset
      const abortedCount = payload.readInt32BE(at)
      at += 4
      const abortedTransactions: FetchedPartition['abortedTransactions'] = []
      for (let a = 0; a < abortedCount; a++) {
        abortedTransactions.push({ producerId: payload.readBigInt64BE(at), firstOffset: payload.readBigInt64BE(at + 8) })
        at += 16
      }
      at += 4 // preferred_read_replica
      const size = payload.readInt32BE(at)
      at += 4
      const length = Math.max(0, Math.min(size, payload.length - at))
      partitions.push({ partition, errorCode: partitionError, highWatermark, lastStableOffset, abortedTransactions, recordSet: payload.subarray(at, at + length) })
      at += Math.max(0, size)
    }
    responses.push({ topicName, partitions })
  }
  return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses }
}

/** The magic byte sits 16 bytes into a batch in every message format. */
export const recordSetMagic = (recordSet: Buffer): number => (recordSet.length > 16 ? recordSet.readInt8(16) : -1)

/** Where a partition's next fetch starts, and the batches to read for [from, until). */
export interface RecordSetPlan {
  batches: BatchSpan[]
  /** The offset after the last complete batch; undefined when the set held no complete batch. */
  next?: bigint
}

/** One record batch: its records' bytes at [start, end) of the record set, and its header fields. */
export interface BatchSpan {
  start: number
  end: number
  attributes: number
  baseOffset: bigint
  baseTimestamp: number
  /** The batch's time, when the topic stamps log-append time. */
  appendTime?: string
  count: number
}

const BATCH_HEADER = 61
const TRANSACTIONAL = 0x10
const CONTROL = 0x20
const LOG_APPEND_TIME = 0x08
const NO_HEADERS: KafkaRecord['headers'] = Object.freeze({}) as KafkaRecord['headers']

// The read position of the varint readers below (one record set is read at a time, synchronously).
let pos = 0

function varint(buffer: Buffer): number {
  let byte = buffer[pos++]
  if (byte < 0x80) return (byte >>> 1) ^ -(byte & 1)
  let value = byte & 0x7f
  let scale = 128
  do {
    byte = buffer[pos++]
    value += (byte & 0x7f) * scale
    scale *= 128
  } while (byte >= 0x80 && scale < 2 ** 70)
  // zig-zag, in floating point: exact up to 2^53, which offsets and timestamps stay within
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2
}

/**
 * Reads batch headers only: which batches hold records in [from, until), and where the next fetch
 * starts. An unsupported codec fails here (kafkajs' error: "LZ4 compression not implemented").
 */
export async function planRecordSet(recordSet: Buffer, from: bigint, until: bigint | undefined, abortedTransactions: FetchedPartition['abortedTransactions']): Promise<RecordSetPlan> {
  const batches: BatchSpan[] = []
  let next: bigint | undefined
  const aborted = abortedTransactions.length === 0 ? undefined : [...abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0))
  const abortedProducers = new Set<bigint>()
  let at = 0
  while (at + BATCH_HEADER <= recordSet.length) {
    const batchStart = at
    const baseOffset = recordSet.readBigInt64BE(at)
    const end = at + 12 + recordSet.readInt32BE(at + 8)
    if (end > recordSet.length) break // a partial batch at the end of the response (maxBytes)
    // An older format after an upgrade: the next fetch starts there and kafkajs reads it.
    if (recordSet.readInt8(at + 16) !== 2) break
    at = end
    const attributes = recordSet.readInt16BE(batchStart + 21)
    const lastOffset = baseOffset + BigInt(recordSet.readInt32BE(batchStart + 23))
    const producerId = recordSet.readBigInt64BE(batchStart + 43)
    const count = recordSet.readInt32BE(batchStart + 57)
    next = lastOffset + 1n
    if (until !== undefined && baseOffset >= until) break
    if (aborted !== undefined && producerId >= 0n) {
      while (aborted.length > 0 && aborted[0].firstOffset <= lastOffset) abortedProducers.add(aborted.shift()!.producerId)
    }
    lookupCodecByAttributes(attributes)
    const span: BatchSpan = { start: batchStart + BATCH_HEADER, end, attributes, baseOffset, baseTimestamp: 0, count }
    if ((attributes & CONTROL) !== 0) {
      // An ABORT marker (control key: version int16, type int16 = 0) ends the producer's aborted transaction.
      if (abortedProducers.has(producerId) && count > 0 && isAbortMarker(await batchBody(recordSet, span))) abortedProducers.delete(producerId)
      continue
    }
    if (((attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(producerId)) || lastOffset < from || count <= 0) continue
    span.baseTimestamp = Number(recordSet.readBigInt64BE(batchStart + 27))
    if ((attributes & LOG_APPEND_TIME) !== 0) span.appendTime = recordSet.readBigInt64BE(batchStart + 35).toString()
    batches.push(span)
  }
  return { batches, next }
}

async function batchBody(recordSet: Buffer, span: BatchSpan): Promise<Buffer> {
  const bytes = recordSet.subarray(span.start, span.end)
  const codec = lookupCodecByAttributes(span.attributes)
  return codec === null ? bytes : codec.decompress(bytes)
}

/** A control record's key: version int16, then type int16 (0 = ABORT). */
function isAbortMarker(body: Buffer): boolean {
  pos = 0
  varint(body) // length
  pos++ // attributes
  varint(body) // timestamp delta
  varint(body) // offset delta
  const keyLength = varint(body)
  return keyLength >= 4 && body.readInt16BE(pos + 2) === 0
}

/**
 * The planned batches' records in [from, until), at most `chunk` at a time: records are made as
 * they are printed, so few of them live long enough to be copied by the garbage collector.
 */
export async function* readBatches(recordSet: Buffer, batches: BatchSpan[], partition: number, from: bigint, until: bigint | undefined, chunk: number): AsyncGenerator<KafkaRecord[]> {
  for (const span of batches) {
    const body = await batchBody(recordSet, span)
    const cursor: BatchCursor = { body, pos: 0, left: span.count, done: false }
    while (!cursor.done && cursor.left > 0 && cursor.pos < body.length) {
      const records = readRecords(cursor, chunk, partition, span, from, until)
      if (records.length > 0) yield records
    }
    if (cursor.done) return
  }
}

interface BatchCursor {
  body: Buffer
  pos: number
  left: number
  /** Reached `until`. */
  done: boolean
}

function readRecords(cursor: BatchCursor, max: number, partition: number, span: BatchSpan, from: bigint, until: bigint | undefined): KafkaRecord[] {
  const out: KafkaRecord[] = []
  const { body } = cursor
  const { baseOffset, baseTimestamp, appendTime } = span
  // Offsets as plain numbers while they are exact (always, in practice).
  const exact = baseOffset <= BigInt(Number.MAX_SAFE_INTEGER - 2 ** 31)
  const base = Number(baseOffset)
  const first = exact ? Number(from) : 0
  const stop = until === undefined || !exact ? Infinity : Number(until)
  pos = cursor.pos
  while (cursor.left > 0 && out.length < max && pos < body.length) {
    cursor.left--
    const length = varint(body)
    const recordEnd = pos + length
    pos++ // attributes
    const timestampDelta = varint(body)
    const offsetDelta = varint(body)
    let offset: string
    if (exact) {
      const n = base + offsetDelta
      if (n < first) {
        pos = recordEnd
        continue
      }
      if (n >= stop) {
        cursor.done = true
        break
      }
      offset = String(n)
    } else {
      const n = baseOffset + BigInt(offsetDelta)
      if (n < from) {
        pos = recordEnd
        continue
      }
      if (until !== undefined && n >= until) {
        cursor.done = true
        break
      }
      offset = n.toString()
    }
    const keyLength = varint(body)
    const key = keyLength < 0 ? null : body.subarray(pos, (pos += keyLength))
    const valueLength = varint(body)
    const value = valueLength < 0 ? null : body.subarray(pos, (pos += valueLength))
    const headerCount = varint(body)
    let headers = NO_HEADERS
    if (headerCount > 0) {
      const named: Record<string, Buffer | string | Array<Buffer | string> | undefined> = {}
      for (let h = 0; h < headerCount; h++) {
        const nameLength = varint(body)
        const name = body.toString('utf8', pos, (pos += nameLength))
        const valueLength = varint(body)
        const headerValue = (valueLength < 0 ? null : body.subarray(pos, (pos += valueLength))) as Buffer
        // Repeated names collect into an array, as kafkajs does.
        const seen = Object.hasOwn(named, name) ? named[name] : undefined
        const entry = seen === undefined ? headerValue : Array.isArray(seen) ? [...seen, headerValue] : [seen, headerValue]
        Object.defineProperty(named, name, { value: entry, enumerable: true, writable: true, configurable: true })
      }
      headers = named
    }
    out.push({ partition, offset, key, value, headers, timestamp: appendTime ?? String(baseTimestamp + timestampDelta) })
    pos = recordEnd
  }
  cursor.pos = pos
  return out
}

/**
 * The planned batches' bytes copied into one buffer of their own (spans rebased), so that they can
 * be handed to a worker thread without copying the whole fetch response.
 */
export function detachBatches(recordSet: Buffer, batches: BatchSpan[]): { bytes: Buffer; batches: BatchSpan[] } {
  const first = batches[0].start
  const bytes = Buffer.allocUnsafeSlow(batches[batches.length - 1].end - first)
  recordSet.copy(bytes, 0, first, batches[batches.length - 1].end)
  return { bytes, batches: batches.map((b) => ({ ...b, start: b.start - first, end: b.end - first })) }
}

