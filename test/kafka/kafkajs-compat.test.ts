// kafkajs 2.2.4 against the real Kafka 4.x broker of test/kafka/broker.sh (or KAFKA_BROKERS).
// These are the calls rewind's Kafka source relies on; findings are in test/kafka/COMPAT.md.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { requireJava, requireKcat } from './tools.js'
import { createTopics } from './topics.js'

const execFileAsync = promisify(execFile)
const BROKER_SH = fileURLToPath(new URL('./broker.sh', import.meta.url))
const brokers = inject('kafkaBrokers')

// This file's topics and groups: compat-RUN...; no other file reads or lists them.
const run = Date.now().toString(36)
const topic = `compat-${run}`
const T0 = Date.parse('2024-03-01T10:00:00.000Z') // old timestamps on purpose
const N = 30
const messages = Array.from({ length: N }, (_, i) => ({
  key: `acct-${i % 5}`,
  value: JSON.stringify({ type: 'Deposited', data: { amount: i } }),
  headers: { 'ce_type': 'Deposited', 'seq': String(i) },
  timestamp: String(T0 + i * 60_000),
}))

function sleep(ms: number) { return new Promise((r) => setTimeout(r, ms)) }
async function until(cond: () => boolean, ms: number) {
  const deadline = Date.now() + ms
  while (!cond() && Date.now() < deadline) await sleep(25)
}

describe.skipIf(!brokers)('kafkajs 2.2.4 against Kafka 4.x', () => {
  let kafka: Kafka
  let admin: Admin

  let sent: Array<{ errorCode: number }>

  beforeAll(async () => {
    kafka = new Kafka({ clientId: 'rewind-compat', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
    admin = kafka.admin()
    await admin.connect()
    // Created and filled here, waiting for the partitions' leaders, so that no test depends on another.
    await createTopics(admin, [{ topic, numPartitions: 3 }])
    const producer = kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    try {
      sent = await producer.send({ topic, acks: -1, messages })
    } finally {
      await producer.disconnect()
    }
  })
  afterAll(async () => {
    await admin?.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin?.disconnect()
  })

  it('creates a 3-partition topic and lists it; a second create says it exists', async () => {
    expect(await admin.listTopics()).toContain(topic)
    const meta = await admin.fetchTopicMetadata({ topics: [topic] })
    expect(meta.topics[0].partitions).toHaveLength(3)
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(false)
  })

  it('produces keyed messages with headers and timestamps', () => {
    expect(sent.length).toBeGreaterThan(0)
    expect(sent.every((r) => r.errorCode === 0)).toBe(true)
  })

  it('fetchTopicOffsets and fetchTopicOffsetsByTimestamp', async () => {
    const offsets = await admin.fetchTopicOffsets(topic)
    expect(offsets).toHaveLength(3)
    expect(offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(N)
    // a time before everything -> low offsets; after everything -> high (end) offsets
    const before = await admin.fetchTopicOffsetsByTimestamp(topic, T0 - 1)
    expect(before.every((p) => p.offset === '0')).toBe(true)
    const after = await admin.fetchTopicOffsetsByTimestamp(topic, T0 + N * 60_000)
    for (const p of after) expect(p.offset).toBe(offsets.find((o) => o.partition === p.partition)!.high)
    // in the middle: per partition, the first offset whose timestamp >= the time
    const mid = await admin.fetchTopicOffsetsByTimestamp(topic, T0 + 15 * 60_000)
    const total = mid.reduce((n, p) => n + Number(offsets.find((o) => o.partition === p.partition)!.high) - Number(p.offset), 0)
    expect(total).toBe(N - 15)
  })

  it('reads from the beginning without committing, then deletes its throwaway group', async () => {
    const groupId = `compat-tmp-${run}`
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 3 } })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    const got: { partition: number, offset: string, key?: string, headers: Record<string, string>, timestamp: string }[] = []
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v)
        got.push({ partition, offset: message.offset, key: message.key?.toString(), headers, timestamp: message.timestamp })
      },
    })
    await until(() => got.length >= N, 20_000)
    expect(got).toHaveLength(N)
    expect(new Set(got.map((m) => m.key))).toEqual(new Set(messages.map((m) => m.key)))
    expect(got.map((m) => Number(m.headers.seq)).sort((a, b) => a - b)).toEqual([...Array(N).keys()])
    expect(got.find((m) => m.headers.seq === '3')!.timestamp).toBe(String(T0 + 3 * 60_000))
    // same key -> same partition, in order
    const byKey = new Map<string, number>()
    for (const m of got) {
      if (byKey.has(m.key!)) expect(byKey.get(m.key!)).toBe(m.partition)
      byKey.set(m.key!, m.partition)
    }

    // while it runs, the group is visible and stable, and it has committed nothing
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(groupId)
    const [desc] = (await admin.describeGroups([groupId])).groups
    expect(desc.state).toBe('Stable')
    expect(desc.members).toHaveLength(1)
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(committed[0].partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1'])

    await consumer.disconnect()
    // a classic group without offsets is NOT removed when its last member leaves: delete it
    const [empty] = (await admin.describeGroups([groupId])).groups
    expect(empty.state).toBe('Empty')
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(groupId)
    const deleted = await admin.deleteGroups([groupId])
    expect(deleted[0].errorCode).toBe(0)
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId)
    expect((await admin.describeGroups([groupId])).groups[0].state).toBe('Dead')
  }, 60_000)

  it('committed offsets agree with Kafka\'s own kafka-consumer-groups', { timeout: 60_000 }, async () => {
    requireJava()
    const groupId = `compat-committed-${run}`
    const offsets = await admin.fetchTopicOffsets(topic)
    // commit "half read" for each partition (an offset commit creates the group)
    const partitions = offsets.map((p) => ({ partition: p.partition, offset: String(Math.floor(Number(p.high) / 2)) }))
    await admin.setOffsets({ groupId, topic, partitions })
    const fetched = await admin.fetchOffsets({ groupId, topics: [topic] })
    const ours = new Map(fetched[0].partitions.map((p) => [p.partition, Number(p.offset)]))
    for (const p of partitions) expect(ours.get(p.partition)).toBe(Number(p.offset))

    const { stdout } = await execFileAsync('bash', [BROKER_SH, 'consumer-groups',
      '--bootstrap-server', brokers, '--describe', '--group', groupId], { timeout: 60_000 })
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
    const rows = stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[0] === groupId && c[1] === topic)
    expect(rows).toHaveLength(3)
    for (const [, , partition, current, logEnd, lag] of rows) {
      const p = Number(partition)
      const high = Number(offsets.find((o) => o.partition === p)!.high)
      expect(Number(current)).toBe(ours.get(p))
      expect(Number(logEnd)).toBe(high)
      expect(Number(lag)).toBe(high - ours.get(p)!)
    }
    await admin.deleteGroups([groupId])
  })

  it('kcat (librdkafka) reads the same messages', { timeout: 30_000 }, async () => {
    requireKcat()
    const { stdout } = await execFileAsync('kcat', ['-C', '-b', brokers, '-t', topic, '-e', '-o', 'beginning', '-q',
      '-f', '%k\t%h\t%s\n'], { timeout: 30_000 })
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(N)
    expect(lines.map((l) => l.split('\t')[0]).sort()).toEqual(messages.map((m) => m.key).sort())
    expect(lines[0]).toMatch(/ce_type=Deposited,seq=\d+/)
  })

  it('kafkajs alone cannot decode lz4/snappy/zstd batches (codecs must be registered)', { timeout: 60_000 }, async () => {
    requireKcat()
    const ztopic = `${topic}-lz4`
    await createTopics(admin, [{ topic: ztopic, numPartitions: 1 }])
    try {
      // librdkafka sends small batches uncompressed: make it worth compressing
      const input = Array.from({ length: 50 }, (_, i) => `k${i}:${JSON.stringify({ type: 'A', pad: 'x'.repeat(500) })}`).join('\n') + '\n'
      // kcat may see a new topic late and drop the messages: produce until they are stored.
      const stored = async () => Number((await admin.fetchTopicOffsets(ztopic))[0].high)
      for (let i = 0; i < 60 && (await stored()) === 0; i++) {
        await new Promise<void>((resolve, reject) => {
          const child = execFile('kcat', ['-P', '-b', brokers, '-t', ztopic, '-K:', '-z', 'lz4'], { timeout: 20_000 },
            (err) => (err ? reject(err) : resolve()))
          child.stdin!.end(input)
        })
        if ((await stored()) === 0) await sleep(250)
      }
      expect(await stored()).toBe(50)
      const groupId = `compat-tmp-lz4-${run}`
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 0 } })
      let error: Error | undefined
      consumer.on(consumer.events.CRASH, (e) => { error = e.payload.error })
      await consumer.connect()
      await consumer.subscribe({ topics: [ztopic], fromBeginning: true })
      let n = 0
      await consumer.run({ autoCommit: false, eachMessage: async () => { n++ } })
      await until(() => error !== undefined || n >= 50, 15_000)
      await consumer.disconnect()
      await admin.deleteGroups([groupId]).catch(() => {})
      expect(n).toBe(0)
      expect(error?.name).toBe('KafkaJSNotImplemented')
      expect(error?.message).toBe('LZ4 compression not implemented')
    } finally {
      await admin.deleteTopics({ topics: [ztopic] }).catch(() => {})
    }
  })

  it('an unknown topic: metadata fails fast, fetchTopicOffsets only after its retries', async () => {
    await expect(admin.fetchTopicMetadata({ topics: [`no-such-${run}`] })).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' })
    expect(await admin.listTopics()).not.toContain(`no-such-${run}`)
  })
})
