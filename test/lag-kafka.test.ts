// `rewind lag kafka://...` against the real broker of test/kafka/global-setup.ts, checked against
// Kafka's own kafka-consumer-groups --describe.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCli } from './helpers.js'
import { createTopics } from './kafka/topics.js'

const execFileAsync = promisify(execFile)
const BROKER_SH = fileURLToPath(new URL('./kafka/broker.sh', import.meta.url))
const brokers = inject('kafkaBrokers')

const run = Date.now().toString(36)
const topic = `lag-${run}`
const partialGroup = `lag-partial-${run}`
const liveGroup = `lag-live-${run}`
const NOW = Date.now()
/** 30 messages over 3 partitions, one a minute, the newest a minute ago. */
const messages = Array.from({ length: 30 }, (_, i) => ({ key: `o-${i}`, value: JSON.stringify({ type: 'OrderPlaced', n: i }), partition: i % 3, timestamp: String(NOW - (30 - i) * 60_000) }))
/** When the message at `offset` of `partition` was written. */
const timestampOf = (partition: number, offset: number) => Number(messages.filter((m) => m.partition === partition)[offset].timestamp)

interface KafkaRow {
  group: string
  topic: string
  partition: number
  current: string
  logEnd: string
  lag: string
  consumerId: string
  host: string
  clientId: string
}

/** Kafka's own view: `kafka-consumer-groups --describe --group G`, parsed. */
async function kafkaDescribe(group: string): Promise<KafkaRow[]> {
  const { stdout } = await execFileAsync('bash', [BROKER_SH, 'consumer-groups', '--bootstrap-server', brokers, '--describe', '--group', group], { timeout: 120_000 })
  return stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[0] === group && c[1] === topic).map((c) => ({
    group: c[0], topic: c[1], partition: Number(c[2]), current: c[3], logEnd: c[4], lag: c[5], consumerId: c[6], host: c[7], clientId: c[8],
  }))
}

interface LagJsonRow {
  name: string
  topic: string
  partition: number
  position: number | null
  head: number | null
  lagEvents: number | null
  lagSeconds: number | null
  member: string | null
  client: string | null
  host: string | null
  status: string
}

async function rewindLag(args: string[]): Promise<{ code: number | null; rows: LagJsonRow[]; stderr: string }> {
  const result = await runCli(['lag', ...args, '--json'])
  return { code: result.code, rows: result.code === 2 ? [] : (JSON.parse(result.stdout).projections as LagJsonRow[]), stderr: result.stderr }
}

const dash = (value: number | null) => (value === null ? '-' : String(value))

describe.skipIf(!brokers)('rewind lag on Kafka consumer groups', () => {
  let kafka: Kafka
  let admin: Admin
  let consumer: Consumer

  beforeAll(async () => {
    kafka = new Kafka({ clientId: 'rewind-lag-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
    admin = kafka.admin()
    await admin.connect()
    await createTopics(admin, [{ topic, numPartitions: 3 }])
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, messages, acks: -1 })
    await producer.disconnect()
    // A group that committed on partitions 0 and 1 only, with no member running.
    await admin.setOffsets({ groupId: partialGroup, topic, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '10' }] })
    // A running consumer that read everything but 3 messages of partition 2 and committed that.
    consumer = kafka.consumer({ groupId: liveGroup, maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const consumed = new Map<number, number>()
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset)
        if (partition === 2 && offset >= 7) return
        consumed.set(partition, offset + 1)
        await consumer.commitOffsets([{ topic, partition, offset: String(offset + 1) }])
      },
    })
    const deadline = Date.now() + 60_000
    while (!(consumed.get(0) === 10 && consumed.get(1) === 10 && consumed.get(2) === 7) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  }, 120_000)

  afterAll(async () => {
    await consumer?.disconnect()
    await admin?.deleteGroups([partialGroup, liveGroup]).catch(() => {})
    await admin?.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin?.disconnect()
  })

  it('per group and partition: the rows, committed offset, log-end offset and lag equal Kafka\'s own --describe', async () => {
    const before = Date.now()
    const { code, rows } = await rewindLag([`kafka://${brokers}/${topic}`, '--group', partialGroup])
    const after = Date.now()
    expect(code).toBe(0)
    // A group with no member lists only the partitions it committed on (issue #15, item 6).
    expect(rows.map((r) => [r.partition, r.position, r.head, r.lagEvents])).toEqual([[0, 4, 10, 6], [1, 10, 10, 0]])
    const described = await kafkaDescribe(partialGroup)
    expect(described.map((r) => r.partition)).toEqual(rows.map((r) => r.partition))
    for (const theirs of described) {
      const ours = rows.find((r) => r.partition === theirs.partition)!
      expect([dash(ours.position), dash(ours.head), dash(ours.lagEvents)]).toEqual([theirs.current, theirs.logEnd, theirs.lag])
    }
    // The first unconsumed message of partition 0 is offset 4.
    const age = (at: number) => (at - timestampOf(0, 4)) / 1000
    expect(rows[0].lagSeconds!).toBeGreaterThanOrEqual(Math.floor(age(before)))
    expect(rows[0].lagSeconds!).toBeLessThanOrEqual(Math.ceil(age(after)))
    expect(rows[1].lagSeconds).toBe(0)
  })

  it('a running group: its member and client per partition, as Kafka reports them', async () => {
    const { rows } = await rewindLag([`kafka://${brokers}/${topic}`, '--group', liveGroup])
    const theirs = await kafkaDescribe(liveGroup)
    expect(theirs).toHaveLength(3)
    expect(rows).toHaveLength(3)
    expect(rows.map((r) => [r.partition, r.position, r.lagEvents])).toEqual([[0, 10, 0], [1, 10, 0], [2, 7, 3]])
    for (const row of theirs) {
      const ours = rows.find((r) => r.partition === row.partition)!
      expect([dash(ours.position), dash(ours.head), dash(ours.lagEvents)]).toEqual([row.current, row.logEnd, row.lag])
      expect(ours.member).toBe(row.consumerId)
      expect([ours.client, ours.host]).toEqual([row.clientId, row.host])
    }
  })

  it('without --group: every group reading the topic; without a topic: every topic of every group', async () => {
    const byTopic = await rewindLag([`kafka://${brokers}/${topic}`])
    expect(new Set(byTopic.rows.map((r) => r.name))).toEqual(new Set([partialGroup, liveGroup]))
    const all = await rewindLag([`kafka://${brokers}`, '--group', `lag-*-${run}`])
    expect(all.rows.filter((r) => r.topic === topic).map((r) => [r.name, r.partition, r.lagEvents])).toEqual([
      [liveGroup, 0, 0], [liveGroup, 1, 0], [liveGroup, 2, 3],
      // Without a topic, only what Kafka lists: committed (or assigned) partitions.
      [partialGroup, 0, 6], [partialGroup, 1, 0],
    ])
  })

  it('--fail in messages or time: exit 1 when a partition is over it', async () => {
    const uri = `kafka://${brokers}/${topic}`
    const byCount = await runCli(['lag', uri, '--group', partialGroup, '--fail', '5'])
    expect(byCount.code).toBe(1)
    expect(byCount.stdout).toMatch(new RegExp(`${partialGroup}\\s+FAIL\\s+${topic}\\s+0\\s+4\\s+10\\s+6`))
    expect(byCount.stdout).toMatch(new RegExp(`${partialGroup}\\s+OK\\s+${topic}\\s+1\\s+10\\s+10\\s+0`))
    expect(byCount.stdout).not.toMatch(new RegExp(`${partialGroup}\\s+\\w+\\s+${topic}\\s+2\\s`))
    expect((await runCli(['lag', uri, '--group', partialGroup, '--fail', '6'])).code).toBe(0)
    expect((await runCli(['lag', uri, '--group', liveGroup, '--fail', '5m'])).code).toBe(1)
    expect((await runCli(['lag', uri, '--group', liveGroup, '--fail', '30m'])).code).toBe(0)
  })

  it('names the groups that exist when --group names one that does not (exit 2)', async () => {
    const result = await runCli(['lag', `kafka://${brokers}/${topic}`, '--group', `nobody-${run}`])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toMatch(new RegExp(`^rewind: kafka://${brokers}/${topic}: no consumer group nobody-${run} \\(groups: .*${liveGroup}`))
  })
})
