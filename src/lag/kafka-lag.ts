import type { KafkaConfig } from '../config.js'
import { UserError } from '../errors.js'
import { globMatcher } from '../events/filter.js'
import { resolveKafkaTarget } from '../sources/kafka/connection.js'
import { connectKafka, type GroupInfo, type GroupOffsets, type KafkaClient } from '../sources/kafka/kafka-client.js'
import type { LagMeasurement, LagRow } from './report.js'

export interface KafkaLagOptions {
  flags: Record<string, unknown>
  config?: KafkaConfig
  configDir?: string
  /** --group: only these groups (exact ids or globs). */
  groups?: string[]
}

interface Member {
  memberId: string
  clientId: string
  host: string
}

/**
 * Consumer-group lag as Kafka's own `kafka-consumer-groups --describe` reports it: per group,
 * topic and partition the committed offset, the log-end offset, lag = log-end - committed
 * (never negative; none without a committed offset), and the age of the first unconsumed message.
 */
export class KafkaLag {
  private constructor(readonly display: string, private readonly client: KafkaClient, private readonly topic: string, private readonly groups?: string[]) {}

  static async open(uri: string, options: KafkaLagOptions): Promise<KafkaLag> {
    const target = resolveKafkaTarget(uri, { flags: options.flags, config: options.config, configDir: options.configDir }, { topicOptional: true })
    const client = await connectKafka(target.connection)
    try {
      if (target.topic !== '') await client.assertTopic(target.topic)
      return new KafkaLag(target.display, client, target.topic, options.groups)
    } catch (error) {
      await client.close()
      throw error
    }
  }

  /** The groups to report: --group ones (which must exist), else those reading the topic, else all consumer groups. */
  private async selectGroups(): Promise<GroupInfo[]> {
    const listed = await this.client.listGroups()
    const ids = listed.map((g) => g.groupId).sort()
    if (this.groups !== undefined && this.groups.length > 0) {
      const match = globMatcher(this.groups)!
      const selected = ids.filter(match)
      const absent = this.groups.filter((g) => !/[*?]/.test(g) && !ids.includes(g))
      if (absent.length > 0 || selected.length === 0) {
        throw new UserError(`${this.display}: no consumer group ${(absent.length > 0 ? absent : this.groups).join(', ')} (groups: ${ids.length > 0 ? ids.join(', ') : 'none'})`)
      }
      return this.client.describeGroups(selected)
    }
    if (this.topic !== '') return this.client.groupsForTopic(this.topic)
    return this.client.describeGroups(listed.filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId).sort())
  }

  async measure(now = Date.now()): Promise<LagMeasurement> {
    const groups = (await this.selectGroups()).sort((a, b) => a.groupId.localeCompare(b.groupId))
    const rows: LagRow[] = []
    const endOffsets = new Map<string, Map<number, { low: bigint; high: bigint }>>()
    const offsetsOf = async (topic: string) => {
      let offsets = endOffsets.get(topic)
      if (offsets === undefined) {
        offsets = new Map((await this.client.partitionOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]))
        endOffsets.set(topic, offsets)
      }
      return offsets
    }
    for (const group of groups) {
      const committed: GroupOffsets[] = this.topic !== '' ? [await this.client.committedOffsets(group.groupId, this.topic)] : await this.client.groupOffsets(group.groupId)
      // Partitions assigned to members count even before the group commits (Kafka lists them with "-").
      const assigned = new Map<string, Map<number, Member>>()
      for (const m of group.members) {
        for (const [topic, partitions] of Object.entries(m.assignment)) {
          if (this.topic !== '' && topic !== this.topic) continue
          const byPartition = assigned.get(topic) ?? new Map<number, Member>()
          for (const p of partitions) byPartition.set(p, { memberId: m.memberId, clientId: m.clientId, host: m.clientHost })
          assigned.set(topic, byPartition)
        }
      }
      const topics = new Set([...committed.map((c) => c.topic), ...assigned.keys()])
      for (const topic of [...topics].sort()) {
        const offsets = await offsetsOf(topic)
        const commits = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]))
        // As kafka-consumer-groups --describe: committed partitions, and those assigned to a member
        // (shown with "-" until it commits); a partition neither committed nor assigned is no row.
        const committedPartitions = [...commits].filter(([, offset]) => offset !== null).map(([partition]) => partition)
        const partitions = new Set([...committedPartitions, ...(assigned.get(topic)?.keys() ?? [])])
        for (const partition of [...partitions].sort((a, b) => a - b)) {
          const end = offsets.get(partition)
          const offset = commits.get(partition) ?? null
          const member = assigned.get(topic)?.get(partition)
          const lag = offset === null || end === undefined ? null : end.high > BigInt(offset) ? Number(end.high - BigInt(offset)) : 0
          rows.push({
            name: group.groupId,
            topic,
            partition,
            position: offset === null ? null : Number(offset),
            head: end === undefined ? null : Number(end.high),
            lagEvents: lag,
            lagSeconds: lag === null ? null : 0,
            updated: null,
            member: member === undefined ? undefined : member.memberId,
            client: member === undefined ? undefined : member.clientId,
            host: member === undefined ? undefined : member.host,
            active: group.members.length > 0,
          })
        }
      }
    }
    await this.timeLags(rows, now, endOffsets)
    return { head: { position: null, time: null }, rows, at: now }
  }

  /** lagSeconds: the age of the first unconsumed message of each lagging partition. */
  private async timeLags(rows: LagRow[], now: number, endOffsets: Map<string, Map<number, { low: bigint; high: bigint }>>): Promise<void> {
    const firstUnconsumed = (row: LagRow): bigint => {
      const low = endOffsets.get(row.topic!)?.get(row.partition!)?.low ?? 0n
      return BigInt(row.position!) < low ? low : BigInt(row.position!)
    }
    const lagging = rows.filter((r) => r.lagEvents !== null && r.lagEvents > 0 && r.position !== null)
    const pending = new Map<string, Set<string>>()
    for (const row of lagging) {
      const wanted = pending.get(row.topic!) ?? new Set<string>()
      wanted.add(`${row.partition}:${firstUnconsumed(row)}`)
      pending.set(row.topic!, wanted)
    }
    const times = new Map<string, number>()
    for (const [topic, wanted] of pending) {
      // One fetch per round, one offset per partition (groups may wait on different offsets of one partition).
      while (wanted.size > 0) {
        const round = new Map<number, bigint>()
        for (const key of wanted) {
          const [partition, offset] = key.split(':')
          if (!round.has(Number(partition))) round.set(Number(partition), BigInt(offset))
        }
        for (const [partition, offset] of round) wanted.delete(`${partition}:${offset}`)
        const ranges = [...round].map(([partition, from]) => ({ partition, from, until: from + 1n }))
        for await (const records of this.client.consume({ topic, ranges, maxWaitMs: 100 })) {
          for (const record of records) times.set(`${topic}:${record.partition}:${record.offset}`, Number(record.timestamp))
        }
      }
    }
    for (const row of lagging) {
      const time = times.get(`${row.topic}:${row.partition}:${firstUnconsumed(row)}`)
      row.lagSeconds = time === undefined ? null : Math.max(0, now - time) / 1000
    }
  }

  async close(): Promise<void> {
    await this.client.close()
  }
}
