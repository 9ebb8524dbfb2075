import { ByteSink } from '../../output/byte-sink.js'
import { chalkFor } from '../../output/colors.js'
import { createEventPrinter } from '../../output/event-format.js'
import { tailFilter, type TailFilterOptions } from '../../tail/tail.js'
import { KafkaDecoder, type DecoderOptions } from './envelope.js'
import { readBatches } from './fetch-response.js'
import type { KafkaRecord, RecordUnit } from './kafka-client.js'

/** What a renderer is made from (plain data: it crosses to worker threads). */
export interface RenderInput {
  decoder: Pick<DecoderOptions, 'topic' | 'streamPath' | 'schemas' | 'skipInvalid'>
  filter: TailFilterOptions
}

export interface RenderedUnit {
  /** The NDJSON lines, UTF-8. */
  bytes: Uint8Array
  printed: number
  /** Every not-JSON warning, unlimited: whoever writes the text limits them in output order. */
  warnings: string[]
}

const asBuffer = (bytes: Uint8Array | null): Buffer | null => (bytes === null || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))

/** Records that crossed a thread boundary have plain Uint8Arrays where they had Buffers. */
function revive(record: KafkaRecord): KafkaRecord {
  const headers: KafkaRecord['headers'] = {}
  for (const name in record.headers) {
    const value = record.headers[name]
    headers[name] = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : asBuffer(v)!)) : typeof value === 'string' || value === undefined ? value : asBuffer(value)!
  }
  return { ...record, key: asBuffer(record.key), value: asBuffer(record.value), headers }
}

/**
 * Decodes, filters and prints (NDJSON) one unit of records with the decoder, filter and printer
 * that runTail would use; the text depends on the unit alone, so any thread can make it.
 */
export function unitRenderer(input: RenderInput): (unit: RecordUnit) => Promise<RenderedUnit> {
  const decoder = new KafkaDecoder({ ...input.decoder, warnLimit: Infinity })
  const filter = tailFilter(input.filter)
  const printer = createEventPrinter('ndjson', { chalk: chalkFor() })
  return async (unit) => {
    const warnings: string[] = []
    const warn = (message: string) => warnings.push(message)
    // About what the text of a unit takes: NDJSON events are a little longer than their messages.
    const out = new ByteSink('bytes' in unit ? unit.bytes.length * 2 : 1 << 16)
    let printed = 0
    const print = async (records: KafkaRecord[]) => {
      await decoder.prepare(records, warn)
      for (let i = 0; i < records.length; i++) {
        const event = decoder.read(records[i], warn)
        if (event === undefined || (filter !== undefined && !filter(event))) continue
        out.add(printer.event(event))
        printed++
      }
    }
    if ('records' in unit) await print(unit.records.map(revive))
    else for await (const records of readBatches(asBuffer(unit.bytes)!, unit.batches, unit.partition, unit.from, unit.until, 1000)) await print(records)
    return { bytes: out.bytes(), printed, warnings }
  }
}
