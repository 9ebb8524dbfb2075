/**
 * rewind's whole use of kafkajs, behind one small interface. Everything else in rewind talks to
 * `KafkaClient`, so a change of client library stays in this file.
 *
 * Reading uses no consumer group: kafkajs' consumer always joins one (there is no assign()), which
 * costs a rebalance delay on real brokers and leaves an empty group behind. Like kcat -C, we fetch
 * partitions directly from their leaders with kafkajs' own cluster, broker and batch classes
 * (internal modules; verified against kafkajs 2.2.4 and Kafka 4.x, see test/kafka/COMPAT.md), and
 * decode fetch responses ourselves (fetch-response.ts).
 * Offsets are committed only by commitOffsets(), which `tail --group` calls.
 */
import { createRequire } from 'node:module'
import kafkajs, { type Admin, type Kafka as KafkaInstance, type LogEntry } from 'kafkajs'
import { isDebug, UserError } from '../../errors.js'
import { redact, type KafkaConnection } from './connection.js'
import { unreachableReason } from './unreachable.js'
import { kafkajsBroker, socketFactory } from './ipv6-brokers.js'
import { guardKafkaWire, lastWireProblem, stalledResponses, wireProblemOf } from './wire-guard.js'
import { decodeFetchResponseV11, planRecordSet, readBatches, recordSetMagic, type BatchSpan, type FetchedPartition, type RecordSetPlan } from './fetch-response.js'

const { Kafka, logLevel, AssignerProtocol } = kafkajs
const require = createRequire(import.meta.url)

/** A partition's offsets now: `low` is the first offset kept, `high` the next to be written. */
export interface PartitionOffsets {
  partition: number
  low: string
  high: string
}

export interface KafkaRecord {
  partition: number
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer | string | Array<Buffer | string> | undefined>
  /** Milliseconds since the epoch, as text (kafkajs' representation). */
  timestamp: string
}

export interface ConsumeRange {
  partition: number
  /** First offset to read. */
  from: bigint
  /** Stop before this offset; undefined: no end (follow). */
  until?: bigint
}

export interface ConsumeOptions {
  topic: string
  ranges: ConsumeRange[]
  signal?: AbortSignal
  /** How long the broker may hold a fetch while nothing is new (default 250 ms). */
  maxWaitMs?: number
  onWarning?: (message: string) => void
}

/**
 * One partition's part of one fetch: batches still undecoded (spans of `bytes`, which may be a view
 * into the whole response), or records kafkajs decoded.
 */
export type RecordUnit =
  | { partition: number; from: bigint; until?: bigint; bytes: Buffer; batches: BatchSpan[] }
  | { partition: number; records: KafkaRecord[] }

export interface GroupMember {
  memberId: string
  clientId: string
  clientHost: string
  /** Partitions of each topic assigned to this member (consumer groups only). */
  assignment: Record<string, number[]>
}

export interface GroupInfo {
  groupId: string
  protocolType: string
  state: string
  members: GroupMember[]
}

export interface GroupOffsets {
  groupId: string
  topic: string
  /** Committed offsets; null where the group has committed nothing. */
  partitions: Array<{ partition: number; offset: string | null }>
}

export interface KafkaClient {
  readonly connection: KafkaConnection
  listTopics(): Promise<string[]>
  /** Throws a UserError listing the topics that exist when `topic` does not. */
  assertTopic(topic: string): Promise<void>
  partitionOffsets(topic: string): Promise<PartitionOffsets[]>
  /** Per partition, the first offset whose timestamp is >= `ms` (the high offset when none is). */
  offsetsForTime(topic: string, ms: number): Promise<Map<number, bigint>>
  /** Reads the ranges without joining a group or committing anything; batches per partition. */
  consume(options: ConsumeOptions): AsyncIterable<KafkaRecord[]>
  /** consume(), but records still undecoded where possible (render-pool.ts decodes them, maybe in a worker thread). */
  consumeUnits(options: ConsumeOptions): AsyncIterable<RecordUnit>
  listGroups(): Promise<Array<{ groupId: string; protocolType: string }>>
  describeGroups(groupIds: string[]): Promise<GroupInfo[]>
  committedOffsets(groupId: string, topic: string): Promise<GroupOffsets>
  /** Committed offsets of a group on every topic it has committed on (lag without a topic). */
  groupOffsets(groupId: string): Promise<GroupOffsets[]>
  /** Groups that have committed offsets on the topic or have members assigned to it. */
  groupsForTopic(topic: string): Promise<Array<GroupInfo & { offsets: GroupOffsets }>>
  /** Commits `offset` (the next offset to read) per partition for a group with no active members. */
  commitOffsets(groupId: string, topic: string, offsets: Array<{ partition: number; offset: bigint }>): Promise<void>
  close(): Promise<void>
}

// --- kafkajs internals we rely on (see the file comment) ---------------------------------------

interface InternalBroker {
  fetch(request: {
    maxWaitTime: number
    minBytes: number
    maxBytes: number
    isolationLevel: number
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>
  }): Promise<{ responses: Array<{ topicName: string; partitions: InternalPartitionData[] }> }>
  offsetCommit(request: {
    groupId: string
    groupGenerationId: number
    memberId: string
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>
  }): Promise<unknown>
}

interface InternalPartitionData {
  partition: number
  highWatermark: string
  lastStableOffset?: string
  abortedTransactions: unknown[]
  messages: unknown[]
}

interface InternalCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  refreshMetadata(): Promise<void>
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>
  findBroker(options: { nodeId: string }): Promise<InternalBroker>
  removeBroker(options: { host: string; port: number }): void
  findGroupCoordinator(options: { groupId: string }): Promise<InternalBroker>
}

interface InternalBatch {
  messages: KafkaRecord[]
  isEmpty(): boolean
  isEmptyDueToFiltering(): boolean
  lastOffset(): string
}

type BatchClass = new (topic: string, fetchedOffset: string, partitionData: InternalPartitionData) => InternalBatch
const Batch = require('kafkajs/src/consumer/batch.js') as BatchClass

type FetchRequest = Parameters<InternalBroker['fetch']>[0]
interface ProtocolRequest {
  request: unknown
  response: { decode(payload: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> }
  requestTimeout?: number
}
type FetchProtocol = (request: FetchRequest & { rackId: string }) => ProtocolRequest
const FETCH_API_KEY = 1
const { requests } = require('kafkajs/src/protocol/requests/index.js') as { requests: { Fetch: unknown } }
const fetchV11Response = require('kafkajs/src/protocol/requests/fetch/v11/response.js') as ProtocolRequest['response']
const decodeMessageSet = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js') as (decoder: unknown) => Promise<unknown[]>
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown
const SEND_REQUEST = 'private:Broker:sendRequest'

// Fetch v11 with rewind's decoder (fetch-response.ts), kafkajs' error checks (parse) unchanged.
const fastFetchResponse: ProtocolRequest['response'] = {
  decode: async (payload) => decodeFetchResponseV11(payload),
  parse: (data) => fetchV11Response.parse(data),
}

/** One partition of a fetch response: what to read from it and where the next fetch starts. */
interface PartitionRead {
  partition: number
  /** The last stable offset (or high watermark) when the broker answered. */
  end: bigint
  next?: bigint
  from: bigint
  until?: bigint
  /** Record batches still to decode (rewind's decoder) in `recordSet`, or records kafkajs decoded. */
  recordSet?: Buffer
  batches?: RecordSetPlan['batches']
  records?: KafkaRecord[]
}

/** Records are decoded this many at a time, as they are consumed. */
const CHUNK = 1000

/**
 * broker.fetch(), but a v11 response is decoded by rewind (fetch-response.ts). Any other version
 * (a broker without v11) and unexpected kafkajs internals fall back to broker.fetch().
 */
async function fetchFrom(broker: InternalBroker, request: FetchRequest): Promise<{ responses: Array<{ topicName: string; partitions: Array<FetchedPartition | InternalPartitionData> }> }> {
  const internal = broker as unknown as { lookupRequest?: (apiKey: number, definition: unknown) => FetchProtocol } & Record<symbol, (request: ProtocolRequest) => Promise<unknown>>
  const send = Object.getOwnPropertySymbols(Object.getPrototypeOf(broker)).find((s) => s.description === SEND_REQUEST)
  if (typeof internal.lookupRequest === 'function' && send !== undefined) {
    const protocol = internal.lookupRequest(FETCH_API_KEY, requests.Fetch)({ ...request, rackId: '' })
    if (protocol.response === fetchV11Response) {
      return (await internal[send]({ ...protocol, response: fastFetchResponse })) as { responses: Array<{ topicName: string; partitions: FetchedPartition[] }> }
    }
  }
  return broker.fetch(request)
}

/** One partition's answer: planned batches (v2 record sets), or records from kafkajs' decoder. */
async function readPartition(topic: string, data: FetchedPartition | InternalPartitionData, from: bigint, until: bigint | undefined): Promise<Omit<PartitionRead, 'partition' | 'end'>> {
  if ('recordSet' in data) {
    if (data.recordSet.length === 0 || recordSetMagic(data.recordSet) === 2) {
      const { batches, next } = await planRecordSet(data.recordSet, from, until, data.abortedTransactions)
      return { recordSet: data.recordSet, batches, next, from, until }
    }
    // A legacy message set (format v0/v1): kafkajs reads it (no transactions exist there).
    const sized = Buffer.alloc(4 + data.recordSet.length)
    sized.writeInt32BE(data.recordSet.length)
    data.recordSet.copy(sized, 4)
    return batchRead(topic, { partition: data.partition, highWatermark: data.highWatermark, lastStableOffset: data.lastStableOffset, abortedTransactions: [], messages: await decodeMessageSet(new KafkajsDecoder(sized)) }, from, until)
  }
  return batchRead(topic, data, from, until)
}

function batchRead(topic: string, data: InternalPartitionData, from: bigint, until: bigint | undefined): Omit<PartitionRead, 'partition' | 'end'> {
  const batch = new Batch(topic, String(from), data)
  let records = batch.messages
  const next = !batch.isEmpty() || batch.isEmptyDueToFiltering() ? BigInt(batch.lastOffset()) + 1n : undefined
  if (until !== undefined && records.length > 0 && BigInt(records[records.length - 1].offset) >= until) records = records.filter((r) => BigInt(r.offset) < until)
  for (const record of records) record.partition = data.partition
  return { records, next, from, until }
}

const READ_COMMITTED = 1
const CREATE_CLUSTER = 'private:Kafka:createCluster'

function createCluster(kafka: KafkaInstance): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER)
  if (symbol === undefined) throw new Error(`kafkajs internals changed (${CREATE_CLUSTER} not found); rewind needs kafkajs 2.2.x`)
  const factory = (kafka as unknown as Record<symbol, (options: object) => InternalCluster>)[symbol]
  return factory({ allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED, metadataMaxAge: 300_000, maxInFlightRequests: null, instrumentationEmitter: null })
}

// Errors after which fresh metadata (a new leader) fixes a fetch.
const STALE_METADATA = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'REPLICA_NOT_AVAILABLE', 'KafkaJSBrokerNotFound', 'KafkaJSTopicMetadataNotLoaded',
])

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// A group coordinator that is still starting (a fresh broker creates __consumer_offsets first).
const COORDINATOR_LOADING = new Set([
  'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'KafkaJSGroupCoordinatorNotFound',
])
const coordinatorLoading = (error: KafkaError | undefined): boolean =>
  error !== undefined && (COORDINATOR_LOADING.has(error.type ?? '') || COORDINATOR_LOADING.has(error.name) || coordinatorLoading(error.cause as KafkaError | undefined))

// ------------------------------------------------------------------------------------------------

class KafkajsClient implements KafkaClient {
  private fetchCluster?: InternalCluster
  private lastLog = ''

  constructor(readonly connection: KafkaConnection, private readonly kafka: KafkaInstance, private readonly admin: Admin) {}

  /** The newest thing kafkajs complained about, for error messages. */
  setLastLog(message: string): void {
    this.lastLog = message
  }

  get lastProblem(): string {
    return this.lastLog
  }

  async listTopics(): Promise<string[]> {
    return this.call('list topics', () => this.admin.listTopics())
  }

  async assertTopic(topic: string): Promise<void> {
    const topics = await this.listTopics()
    if (topics.includes(topic)) return
    const visible = topics.filter((t) => !t.startsWith('__')).sort()
    const shown = visible.slice(0, 30)
    const list = visible.length === 0 ? 'the cluster has no topics' : `topics: ${shown.join(', ')}${visible.length > shown.length ? `, and ${visible.length - shown.length} more` : ''}`
    throw new UserError(`kafka://${this.connection.brokers.join(',')}/${topic}: no topic "${topic}"; ${list}`, { suggestions: shown })
  }

  async partitionOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await this.call(`read the offsets of ${topic}`, () => this.admin.fetchTopicOffsets(topic))
    return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition)
  }

  async offsetsForTime(topic: string, ms: number): Promise<Map<number, bigint>> {
    const offsets = await this.call(`find offsets by time in ${topic}`, () => this.admin.fetchTopicOffsetsByTimestamp(topic, ms))
    return new Map(offsets.map((o) => [o.partition, BigInt(o.offset)]))
  }

  private async cluster(topic: string): Promise<InternalCluster> {
    if (this.fetchCluster === undefined) {
      const cluster = createCluster(this.kafka)
      await this.call('connect', () => cluster.connect())
      this.fetchCluster = cluster
    }
    await this.call(`read the metadata of ${topic}`, () => this.fetchCluster!.addTargetTopic(topic))
    return this.fetchCluster
  }

  async *consume(options: ConsumeOptions): AsyncIterable<KafkaRecord[]> {
    for await (const read of this.reads(options)) {
      if (read.records !== undefined) {
        for (let i = 0; i < read.records.length; i += CHUNK) yield read.records.slice(i, i + CHUNK)
        continue
      }
      const chunks = readBatches(read.recordSet!, read.batches!, read.partition, read.from, read.until, CHUNK)
      for (;;) {
        let chunk: IteratorResult<KafkaRecord[]>
        try {
          chunk = await chunks.next()
        } catch (error) {
          throw this.userError(`read ${options.topic}`, error as KafkaError)
        }
        if (chunk.done === true) break
        yield chunk.value
      }
    }
  }

  async *consumeUnits(options: ConsumeOptions): AsyncIterable<RecordUnit> {
    for await (const read of this.reads(options)) {
      if (read.records !== undefined) yield { partition: read.partition, records: read.records }
      else yield { partition: read.partition, from: read.from, until: read.until, bytes: read.recordSet!, batches: read.batches! }
    }
  }

  /** Each partition's part of each fetch that holds records, in order; the next fetch is in flight meanwhile. */
  private async *reads(options: ConsumeOptions): AsyncIterable<PartitionRead> {
    const { topic, signal } = options
    const maxWaitTime = options.maxWaitMs ?? 250
    const cluster = await this.cluster(topic)
    const next = new Map<number, bigint>()
    const until = new Map<number, bigint | undefined>()
    for (const range of options.ranges) {
      if (range.until !== undefined && range.from >= range.until) continue
      next.set(range.partition, range.from)
      until.set(range.partition, range.until)
    }
    // One fetch per leader for every partition still to read, from the offsets in `next`. Only
    // batch headers are read on arrival; records are decoded as they are consumed.
    const fetchRound = async (): Promise<PartitionRead[][]> => {
      const leaders = cluster.findLeaderForPartitions(topic, [...next.keys()])
      return Promise.all(Object.entries(leaders).map(async ([nodeId, partitions]) => {
        const broker = await cluster.findBroker({ nodeId })
        const requested = new Map(partitions.map((p) => [p, next.get(p)!]))
        const { responses } = await fetchFrom(broker, {
          maxWaitTime,
          minBytes: 1,
          maxBytes: 4 << 20,
          isolationLevel: READ_COMMITTED,
          topics: [{ topic, partitions: partitions.map((partition) => ({ partition, fetchOffset: String(requested.get(partition)), maxBytes: 1 << 20 })) }],
        })
        const reads: PartitionRead[] = []
        for (const data of responses.flatMap((t) => t.partitions).sort((a, b) => a.partition - b.partition)) {
          const fetched = requested.get(data.partition)
          if (fetched === undefined) continue
          const end = BigInt(data.lastStableOffset !== undefined && Number(data.lastStableOffset) >= 0 ? data.lastStableOffset : data.highWatermark)
          reads.push({ partition: data.partition, end, ...await readPartition(topic, data, fetched, until.get(data.partition)) })
        }
        return reads
      }))
    }
    const aborted = () => signal?.aborted === true
    let failures = 0
    let prefetched: Promise<PartitionRead[][]> | undefined
    while (next.size > 0 && !aborted()) {
      let round: PartitionRead[][]
      try {
        round = await (prefetched ?? fetchRound())
        failures = 0
      } catch (error) {
        await this.recover(error as KafkaError, cluster, topic, next, options, ++failures)
        continue
      } finally {
        prefetched = undefined
      }
      const ready: PartitionRead[] = []
      for (const reads of round) {
        for (const read of reads) {
          if (!next.has(read.partition)) continue
          if (read.next !== undefined) next.set(read.partition, read.next)
          const stop = until.get(read.partition)
          // Done at the end, or when nothing more exists now (compacted or transactional tails).
          if (stop !== undefined && (next.get(read.partition)! >= stop || (read.next === undefined && next.get(read.partition)! >= read.end))) next.delete(read.partition)
          if ((read.batches?.length ?? 0) > 0 || (read.records?.length ?? 0) > 0) ready.push(read)
        }
      }
      // The next records travel while these are decoded and printed. A failure shows at its await.
      if (next.size > 0 && !aborted()) {
        prefetched = fetchRound()
        prefetched.catch(() => {})
      }
      yield* ready
    }
  }

  private async recover(error: KafkaError, cluster: InternalCluster, topic: string, next: Map<number, bigint>, options: ConsumeOptions, failures: number): Promise<void> {
    if (failures > 8) throw this.userError(`read ${topic}`, error)
    if (error.name === 'KafkaJSOffsetOutOfRange' && error.partition !== undefined) {
      // Retention removed what we wanted: continue from the oldest offset kept.
      const low = (await this.partitionOffsets(topic)).find((p) => p.partition === error.partition)?.low
      if (low !== undefined) {
        options.onWarning?.(`${topic} partition ${error.partition}: offset ${next.get(error.partition)} is no longer kept; continuing from ${low}`)
        next.set(error.partition, BigInt(low))
      }
      return
    }
    if (error.name === 'KafkaJSConnectionClosedError' && error.host !== undefined && error.port !== undefined) {
      cluster.removeBroker({ host: error.host, port: error.port })
    } else if (!STALE_METADATA.has(error.type ?? '') && !STALE_METADATA.has(error.name) && error.retriable !== true) {
      throw this.userError(`read ${topic}`, error)
    }
    await sleep(Math.min(2000, 100 * 2 ** failures))
    await cluster.refreshMetadata().catch(() => {})
  }

  async listGroups(): Promise<Array<{ groupId: string; protocolType: string }>> {
    const { groups } = await this.call('list consumer groups', () => this.admin.listGroups())
    return groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }))
  }

  async describeGroups(groupIds: string[]): Promise<GroupInfo[]> {
    if (groupIds.length === 0) return []
    const { groups } = await this.call('describe consumer groups', () => this.withCoordinator(() => this.admin.describeGroups(groupIds)))
    return groups.map((g) => ({
      groupId: g.groupId,
      protocolType: g.protocolType,
      state: g.state,
      members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment: decodeAssignment(g.protocolType, m.memberAssignment) })),
    }))
  }

  /** Retries while the group coordinator is still loading, up to the connection timeout. */
  private async withCoordinator<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.connection.timeoutMs
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (error) {
        if (!coordinatorLoading(error as KafkaError) || Date.now() > deadline) throw error
        await sleep(Math.min(1000, 100 * 2 ** attempt))
      }
    }
  }

  async committedOffsets(groupId: string, topic: string): Promise<GroupOffsets> {
    const result = await this.call(`read the offsets of group ${groupId}`, () => this.withCoordinator(() => this.admin.fetchOffsets({ groupId, topics: [topic] })))
    const partitions = (result.find((t) => t.topic === topic)?.partitions ?? [])
      .map((p) => ({ partition: p.partition, offset: Number(p.offset) < 0 ? null : p.offset }))
      .sort((a, b) => a.partition - b.partition)
    return { groupId, topic, partitions }
  }

  async groupOffsets(groupId: string): Promise<GroupOffsets[]> {
    // No topics: OffsetFetch v2+ answers for every topic the group has committed on.
    const result = await this.call(`read the offsets of group ${groupId}`, () => this.withCoordinator(() => this.admin.fetchOffsets({ groupId })))
    return result
      .map((t) => ({
        groupId,
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, offset: Number(p.offset) < 0 ? null : p.offset })).sort((a, b) => a.partition - b.partition),
      }))
      .sort((a, b) => a.topic.localeCompare(b.topic))
  }

  async groupsForTopic(topic: string): Promise<Array<GroupInfo & { offsets: GroupOffsets }>> {
    const ids = (await this.listGroups()).map((g) => g.groupId)
    const described = await this.describeGroups(ids)
    const result: Array<GroupInfo & { offsets: GroupOffsets }> = []
    // A few at a time: a cluster may have hundreds of groups.
    for (let i = 0; i < described.length; i += 8) {
      const chunk = described.slice(i, i + 8)
      const offsets = await Promise.all(chunk.map((g) => this.committedOffsets(g.groupId, topic)))
      chunk.forEach((group, j) => {
        const assigned = group.members.some((m) => (m.assignment[topic]?.length ?? 0) > 0)
        if (assigned || offsets[j].partitions.some((p) => p.offset !== null)) result.push({ ...group, offsets: offsets[j] })
      })
    }
    return result.sort((a, b) => a.groupId.localeCompare(b.groupId))
  }

  async commitOffsets(groupId: string, topic: string, offsets: Array<{ partition: number; offset: bigint }>): Promise<void> {
    if (offsets.length === 0) return
    const cluster = await this.cluster(topic)
    try {
      await this.withCoordinator(async () => {
        const coordinator = await cluster.findGroupCoordinator({ groupId })
        // Generation -1 and no member id: a commit from outside the group's protocol, as
        // standalone (assign-mode) consumers do. The broker refuses it while members are active.
        await coordinator.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [{ topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })) }],
        })
      })
    } catch (error) {
      const e = error as KafkaError
      if (e.type === 'ILLEGAL_GENERATION' || e.type === 'UNKNOWN_MEMBER_ID' || e.type === 'REBALANCE_IN_PROGRESS') {
        throw new UserError(`group ${groupId} has active members; rewind does not commit offsets into a running consumer group`)
      }
      throw e instanceof UserError ? e : this.userError(`commit offsets of group ${groupId}`, e)
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.fetchCluster?.disconnect()])
  }

  /** Runs a client call; its failure becomes one line naming the brokers (without secrets). */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      if (error instanceof UserError) throw error
      throw this.userError(what, error as KafkaError)
    }
  }

  userError(what: string, error: KafkaError): UserError {
    const brokers = this.connection.brokers.join(',')
    const reason = error.message ?? String(error)
    let message: string
    const wire = wireProblemOf(error)
    if (wire !== undefined) {
      message = wire
    } else if (error.name === 'KafkaJSSASLAuthenticationError' || /SASL|authenticat/i.test(reason)) {
      message = `authentication failed for user "${this.connection.sasl?.username ?? ''}" (${reason}); check the SASL mechanism, user name and password`
    } else if (error.type === 'TOPIC_AUTHORIZATION_FAILED' || error.type === 'GROUP_AUTHORIZATION_FAILED') {
      message = `cannot ${what}: not authorized (${error.type})`
    } else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection (error|timeout)|Closed connection|ECONNRESET|TLS|SSL|certificate|alert/i.test(reason)) {
      message = unreachableReason(reason, { tls: this.connection.tls !== undefined, sasl: this.connection.sasl !== undefined })
    } else {
      message = `cannot ${what}: ${reason}`
    }
    return new UserError(redact(`kafka ${brokers}: ${message}`, this.connection), { cause: isDebug() ? error : undefined })
  }
}

interface KafkaError extends Error {
  type?: string
  retriable?: boolean
  partition?: number
  host?: string
  port?: number
}

function decodeAssignment(protocolType: string, buffer: Buffer | undefined): Record<string, number[]> {
  if (protocolType !== 'consumer' || buffer === undefined || buffer.length === 0) return {}
  try {
    return AssignerProtocol.MemberAssignment.decode(buffer)?.assignment ?? {}
  } catch {
    return {}
  }
}

/**
 * Connects to the cluster, or fails within the connection's timeout with one line: which brokers,
 * and what went wrong. kafkajs' own logging is silenced (DEBUG=rewind shows it on stderr).
 */
export async function connectKafka(connection: KafkaConnection): Promise<KafkaClient> {
  guardKafkaWire()
  let client: KafkajsClient | undefined
  let lastLog = ''
  const logCreator = () => (entry: LogEntry) => {
    if (entry.level <= logLevel.WARN) {
      lastLog = entry.log.message
      client?.setLastLog(lastLog)
    }
    if (isDebug()) process.stderr.write(`kafkajs ${entry.namespace}: ${redact(JSON.stringify(entry.log), connection)}\n`)
  }
  const kafka = new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers.map(kafkajsBroker),
    socketFactory: socketFactory() as never,
    ssl: connection.tls === undefined ? undefined : Object.keys(connection.tls).length === 0 ? true : connection.tls,
    sasl: connection.sasl as never,
    connectionTimeout: Math.min(connection.timeoutMs, 3000),
    authenticationTimeout: Math.min(connection.timeoutMs, 10_000),
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: isDebug() ? logLevel.DEBUG : logLevel.WARN,
    logCreator,
  })
  const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } })
  client = new KafkajsClient(connection, kafka, admin)
  const brokers = connection.brokers.join(',')
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = connection.timeoutMs / 1000
      const wire = lastWireProblem()
      if (wire !== undefined) {
        reject(new UserError(redact(`kafka ${brokers}: ${wire}`, connection)))
        return
      }
      const stalled = stalledResponses()
      const detail = stalled !== '' ? ` (${stalled})` : lastLog === '' ? '' : ` (${lastLog})`
      reject(new UserError(redact(`kafka ${brokers}: no ${stalled === '' ? '' : 'complete '}answer within ${seconds}s${detail}; check the address (--brokers, KAFKA_BROKERS), TLS and SASL settings, or raise --timeout`, connection)))
    }, connection.timeoutMs)
  })
  try {
    // Connecting and one metadata request prove the brokers answer (and accept our credentials).
    await Promise.race([client.call('connect', async () => {
      await admin.connect()
      await admin.listTopics()
    }), timeout])
    return client
  } catch (error) {
    void admin.disconnect().catch(() => {})
    throw error
  } finally {
    clearTimeout(timer)
  }
}
