import { UserError } from '../errors.js'
import type { Event } from '../events/event.js'
import type { ConsumeRange } from '../sources/kafka/kafka-client.js'
import type { KafkaSource } from '../sources/kafka/kafka-source.js'
import type { EventSource } from '../sources/source.js'
import type { TailReadOptions } from './options.js'
import type { Bound, TailRange } from './range.js'

const max = (a: bigint, b: bigint) => (a > b ? a : b)

/**
 * A tail range as offsets per partition: -N per partition (kcat -o -N), a time through
 * offsets-by-timestamp, `end` as the high offsets captured now. With --group and no --from,
 * partitions start at the group's committed offsets (the oldest kept offset where it has none).
 */
export async function* kafkaTail(source: EventSource, range: TailRange, options: TailReadOptions): AsyncIterable<Event[]> {
  const { ranges, maxWaitMs } = await kafkaTailRanges(source, range, options)
  yield* (source as KafkaSource).readRanges(ranges, { signal: options.signal, maxWaitMs, onWarning: options.onWarning })
}

/** kafkaTail's offsets per partition, and how long a fetch may wait for new messages. */
export async function kafkaTailRanges(source: EventSource, range: TailRange, options: TailReadOptions): Promise<{ ranges: ConsumeRange[]; maxWaitMs: number }> {
  const kafka = source as KafkaSource
  const { topic, client } = kafka
  let partitions = await client.partitionOffsets(topic)
  if (options.partitions !== undefined && options.partitions.length > 0) {
    const known = new Set(partitions.map((p) => p.partition))
    const missing = options.partitions.filter((p) => !known.has(p))
    if (missing.length > 0) throw new UserError(`--partition ${missing.join(', ')}: ${topic} has partitions 0..${partitions.length - 1}`)
    partitions = partitions.filter((p) => options.partitions!.includes(p.partition))
  }
  const usesOffset = range.from.kind === 'offset' || range.until?.kind === 'offset'
  if (usesOffset && partitions.length > 1) {
    throw new UserError(`offset:N names an offset in one partition, and ${topic} has ${partitions.length}; add --partition P`)
  }

  const times = new Map<number, Map<number, bigint>>()
  const offsetAt = async (ms: number) => {
    let found = times.get(ms)
    if (found === undefined) times.set(ms, (found = await client.offsetsForTime(topic, ms)))
    return found
  }
  const committed = options.group !== undefined && options.fromCommitted === true ? await client.committedOffsets(options.group, topic) : undefined

  const start = async (bound: Bound, low: bigint, high: bigint, partition: number): Promise<bigint> => {
    const mark = committed?.partitions.find((p) => p.partition === partition)?.offset
    if (mark !== undefined && mark !== null) return BigInt(mark)
    switch (bound.kind) {
      case 'end': return high
      case 'last': return max(low, high - BigInt(bound.count))
      case 'offset': return bound.offset
      case 'time': return (await offsetAt(bound.ms)).get(partition) ?? high
      default: return low
    }
  }
  const stop = async (bound: Bound | undefined, low: bigint, high: bigint, partition: number): Promise<bigint | undefined> => {
    switch (bound?.kind) {
      case undefined: return undefined
      case 'last': return max(low, high - BigInt(bound.count) + 1n)
      case 'offset': return bound.offset + 1n
      // The first offset with a later timestamp: everything at or before the time.
      case 'time': return (await offsetAt(bound.ms + 1)).get(partition) ?? high
      case 'position': throw new UserError('--until: a Kafka topic has offsets per partition; use offset:N with --partition')
      default: return high
    }
  }

  const ranges: ConsumeRange[] = []
  for (const p of partitions) {
    const low = BigInt(p.low)
    const high = BigInt(p.high)
    ranges.push({ partition: p.partition, from: await start(range.from, low, high, p.partition), until: await stop(range.until, low, high, p.partition) })
  }
  return { ranges, maxWaitMs: range.follow ? Math.min(options.intervalMs, 1000) : 100 }
}

/** `tail --group`: commits, per partition, the offset after the last event handled. */
export async function commitConsumed(source: EventSource, group: string, events: Event[]): Promise<void> {
  const kafka = source as KafkaSource
  const next = new Map<number, bigint>()
  for (const e of events) {
    if (e.kafka === undefined) continue
    const offset = BigInt(e.kafka.offset) + 1n
    if ((next.get(e.kafka.partition) ?? -1n) < offset) next.set(e.kafka.partition, offset)
  }
  await kafka.client.commitOffsets(group, kafka.topic, [...next].map(([partition, offset]) => ({ partition, offset })))
}
