import type { RewindConfig } from '../../config.js'
import { UserError } from '../../errors.js'
import type { Event } from '../../events/event.js'
import { rankSimilar } from '../similar.js'
import { EventTally } from '../event-tally.js'
import type { EventSource, ReadOptions, SourceSummary } from '../source.js'
import { resolveKafkaTarget } from './connection.js'
import { KafkaDecoder } from './envelope.js'
import { connectKafka, type ConsumeRange, type KafkaClient, type PartitionOffsets } from './kafka-client.js'
import { visible } from '../../events/terminal-text.js'

export interface KafkaOpenOptions {
  config?: RewindConfig
  /** Kafka flags: brokers, sasl-*, tls*, timeout, stream-path. */
  flags: Record<string, unknown>
}

/** A consumer group reading the topic, as `inspect` shows it. */
export interface TopicGroupSummary {
  groupId: string
  state: string
  members: number
  partitions: Array<{ partition: number; committed: string | null; lag: number | null }>
  /** Messages behind the high offsets, over partitions with a committed offset. */
  lag: number
}

export interface KafkaSummary extends SourceSummary {
  kind: 'kafka'
  topic: string
  brokers: string[]
  partitions: Array<PartitionOffsets & { messages: number }>
  groups: TopicGroupSummary[]
}

export interface ReadRangesOptions {
  signal?: AbortSignal
  maxWaitMs?: number
  onWarning?: (message: string) => void
  /** Skip messages whose key is another stream (only when the stream is the key). */
  onlyKey?: string
}

/** A Kafka topic as an EventSource: reads up to the end captured when a read starts, by partition. */
export class KafkaSource implements EventSource {
  readonly kind = 'kafka' as const

  constructor(
    readonly name: string,
    readonly topic: string,
    readonly client: KafkaClient,
    private readonly decoder: KafkaDecoder,
    /** False with --stream-path: then every message must be decoded to know its stream. */
    private readonly streamFromKey = true,
  ) {}

  /** --stream-path, when the stream is not the message key. */
  get streamPath(): string | undefined {
    return this.decoder.options.streamPath
  }

  /** Decoded events of the given partition ranges (tail uses this directly; follow when no `until`). */
  async *readRanges(ranges: ConsumeRange[], options: ReadRangesOptions = {}): AsyncIterable<Event[]> {
    const { decoder } = this
    const { onWarning, onlyKey } = options
    const wanted = onlyKey === undefined ? undefined : Buffer.from(onlyKey)
    for await (const records of this.client.consume({ topic: this.topic, ranges, signal: options.signal, maxWaitMs: options.maxWaitMs, onWarning })) {
      const events: Event[] = []
      for (let i = 0; i < records.length; i++) {
        const key = records[i].key
        // Another stream's message: not even decoded (state reads one key of a whole topic).
        if (wanted !== undefined && key !== null && key !== undefined && !wanted.equals(key)) continue
        events.push(decoder.decode(records[i], onWarning))
      }
      if (events.length > 0) yield events
    }
  }

  /** Everything from the oldest kept offset to the end captured now, in partition order per batch. */
  async *batches(options: ReadOptions = {}): AsyncIterable<Event[]> {
    if (options.fromPosition !== undefined || options.untilPosition !== undefined) {
      throw new UserError(`${this.name}: a Kafka topic has no global position; use --at TIME (read by time) instead of --position`)
    }
    const offsets = await this.client.partitionOffsets(this.topic)
    const ranges = offsets.map((p) => ({ partition: p.partition, from: BigInt(p.low), until: BigInt(p.high) }))
    const size = options.batchSize ?? 2000
    let pending: Event[] = []
    const onlyKey = this.streamFromKey ? options.stream : undefined
    for await (const events of this.readRanges(ranges, { onWarning: options.onWarning, maxWaitMs: 100, onlyKey })) {
      for (const event of events) {
        if (options.stream !== undefined && event.stream !== options.stream) continue
        pending.push(event)
      }
      if (pending.length >= size) {
        yield pending
        pending = []
      }
    }
    if (pending.length > 0) yield pending
  }

  async estimateCount(): Promise<number> {
    const offsets = await this.client.partitionOffsets(this.topic)
    return offsets.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0)
  }

  async similarStreams(stream: string, limit = 5): Promise<string[]> {
    const streams = new Set<string>()
    for await (const batch of this.batches()) for (const e of batch) streams.add(e.stream)
    return rankSimilar(stream, streams, limit)
  }

  async summarize(): Promise<KafkaSummary> {
    const offsets = await this.client.partitionOffsets(this.topic)
    const partitions = offsets.map((p) => ({ ...p, messages: Number(BigInt(p.high) - BigInt(p.low)) }))
    const tally = new EventTally()
    // Non-JSON values show up as (text)/(binary) types in the table; no warning per message.
    const ranges = offsets.map((p) => ({ partition: p.partition, from: BigInt(p.low), until: BigInt(p.high) }))
    for await (const batch of this.readRanges(ranges, { maxWaitMs: 100, onWarning: () => {} })) for (const e of batch) tally.add(e)
    const highs = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]))
    const groups = (await this.client.groupsForTopic(this.topic)).map((g): TopicGroupSummary => {
      const rows = g.offsets.partitions.map((p) => ({
        partition: p.partition,
        committed: p.offset,
        lag: p.offset === null || !highs.has(p.partition) ? null : Number(highs.get(p.partition)! - BigInt(p.offset)),
      }))
      return { groupId: g.groupId, state: g.state, members: g.members.length, partitions: rows, lag: rows.reduce((n, r) => n + (r.lag ?? 0), 0) }
    })
    const nonEmpty = partitions.filter((p) => p.messages > 0)
    return {
      source: this.name,
      kind: 'kafka',
      topic: this.topic,
      brokers: this.client.connection.brokers,
      events: tally.events,
      streams: tally.streams,
      firstPosition: nonEmpty.length === 0 ? null : `${nonEmpty[0].partition}:${nonEmpty[0].low}`,
      lastPosition: nonEmpty.length === 0 ? null : `${nonEmpty[nonEmpty.length - 1].partition}:${BigInt(nonEmpty[nonEmpty.length - 1].high) - 1n}`,
      firstTime: tally.firstTime,
      lastTime: tally.lastTime,
      types: tally.types,
      checkpoints: [],
      partitions,
      groups,
    }
  }

  async close(): Promise<void> {
    await this.client.close()
  }
}

/** `kafka://...` to a connected source; an unknown topic fails here, listing the topics that exist. */
export async function openKafkaSource(uri: string, options: KafkaOpenOptions): Promise<KafkaSource> {
  const target = resolveKafkaTarget(uri, { flags: options.flags, config: options.config?.kafka, configDir: options.config?.dir })
  const decoder = new KafkaDecoder({
    topic: target.topic,
    streamPath: options.flags['stream-path'] as string | undefined,
    onWarning: (message) => process.stderr.write(`warning: ${visible(message)}\n`),
  })
  const client = await connectKafka(target.connection)
  try {
    await client.assertTopic(target.topic)
  } catch (error) {
    await client.close()
    throw error
  }
  return new KafkaSource(target.display, target.topic, client, decoder, options.flags['stream-path'] === undefined)
}
