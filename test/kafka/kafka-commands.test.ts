// state, replay and inspect on a Kafka topic (the real broker): fold by key, up to --at or the end.
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { mergeReducer } from '../../src/fold/reducer.js'
import { openSource } from '../../src/sources/open.js'
import { openTimeline } from '../../src/ui/timeline-thread.js'
import { runCli } from '../helpers.js'
import { createTopics } from './topics.js'

const { Kafka, logLevel } = kafkajs

const brokers = inject('kafkaBrokers')
const run = Date.now().toString(36)
const topic = `bank-${run}`
const T0 = Date.parse('2024-04-01T09:00:00.000Z')
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString()

// acc-0..2: opened at minute 0-2, then deposits; balance is the running total.
const events: Array<{ key: string; minute: number; type: string; data: Record<string, unknown> }> = []
for (let a = 0; a < 3; a++) events.push({ key: `acc-${a}`, minute: a, type: 'AccountOpened', data: { owner: `owner-${a}`, balance: 0 } })
const balances = [0, 0, 0]
for (let i = 0; i < 30; i++) {
  const a = i % 3
  balances[a] += (i + 1) * 10
  events.push({ key: `acc-${a}`, minute: 10 + i, type: 'MoneyDeposited', data: { amount: (i + 1) * 10, balance: balances[a] } })
}
const balanceAt = (account: number, minute: number) => {
  let balance = 0
  for (const e of events) if (e.key === `acc-${account}` && e.minute <= minute) balance = e.data.balance as number
  return balance
}

describe.skipIf(!brokers)('state, replay and inspect on a Kafka topic', () => {
  const kafka = new Kafka({ clientId: 'rewind-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true })
  const uri = `kafka://${brokers}/${topic}`

  beforeAll(async () => {
    await admin.connect()
    await producer.connect()
    await createTopics(admin, [{ topic, numPartitions: 3 }])
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((e) => ({ key: e.key, value: JSON.stringify({ type: e.type, time: at(e.minute), data: e.data }), timestamp: String(T0 + e.minute * 60_000) })),
    })
  })

  afterAll(async () => {
    await producer.disconnect().catch(() => {})
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.deleteGroups([`app-${run}`]).catch(() => {})
    await admin.disconnect().catch(() => {})
  })

  it('state folds one key up to the end, and up to --at', async () => {
    const now = await runCli(['state', uri, 'acc-1', '--json'])
    expect(now.code).toBe(0)
    const state = JSON.parse(now.stdout)
    expect(state.stream).toBe('acc-1')
    expect(state.events).toBe(11)
    expect(state.state).toMatchObject({ owner: 'owner-1', balance: balances[1] })

    const earlier = await runCli(['state', uri, 'acc-1', '--at', at(20), '--json'])
    expect(JSON.parse(earlier.stdout).state.balance).toBe(balanceAt(1, 20))
  })

  it('state -i folds the key in a thread that reads the topic itself, or as this thread reads it: the timeline the view walks', async () => {
    const source = await openSource(uri)
    try {
      const worker = new URL('../../dist/src/ui/timeline-worker.js', import.meta.url)
      const threaded = await openTimeline({ source, stream: 'acc-1', reducer: mergeReducer, start: {}, files: {}, recipe: { spec: uri, options: {} }, workerUrl: worker }).opened
      const opened = await openTimeline({ source, stream: 'acc-1', reducer: mergeReducer, start: {} }).opened
      expect([threaded.how, opened.how]).toEqual(['store', 'here'])
      const every = (t: typeof opened.timeline) => Array.from({ length: t.length }, (_, i) => [t.event(i), t.stateAfter(i), t.warnings[i]])
      expect(every(threaded.timeline)).toEqual(every(opened.timeline))
      const { timeline } = opened
      expect([timeline.length, opened.start]).toEqual([11, 10])
      expect(timeline.stateAfter(10)).toMatchObject({ owner: 'owner-1', balance: balances[1] })
      expect(timeline.transition(10).changes).toEqual([
        { path: 'balance', before: balances[1] - 290, after: balances[1] },
        { path: 'amount', before: 260, after: 290 },
      ])
      const at25 = timeline.indexAtTime(at(25))
      expect((timeline.stateAfter(at25) as { balance: number }).balance).toBe(balanceAt(1, 25))
      expect(timeline.search('owner-1', 10, 1)).toEqual({ index: 0, wrapped: true })
    } finally {
      await source.close()
    }
  })

  it('state of an unknown key exits 2 suggesting keys that exist', async () => {
    const result = await runCli(['state', uri, 'acc-11'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: kafka:\/\/.*: no stream "acc-11"; did you mean acc-1/)
  })

  it('replay folds every key; brokers may come from KAFKA_BROKERS with kafka:///TOPIC', async () => {
    const result = await runCli(['replay', `kafka:///${topic}`, '--at', at(25), '--json'], { env: { KAFKA_BROKERS: brokers } })
    expect(result.code).toBe(0)
    const replay = JSON.parse(result.stdout)
    expect(replay.streams).toBe(3)
    for (let a = 0; a < 3; a++) expect(replay.states[`acc-${a}`].balance).toBe(balanceAt(a, 25))
  })

  it('inspect shows partitions with low/high offsets and counts, and the groups reading the topic with their lag', async () => {
    // A group that has read everything (rewind tail --group commits), then 2 more messages arrive.
    const group = `app-${run}`
    const read = await runCli(['tail', uri, '--group', group])
    expect(read.code).toBe(0)
    await producer.send({ topic, acks: -1, messages: [{ key: 'acc-0', partition: 0, value: JSON.stringify({ type: 'MoneyDeposited', data: { amount: 1, balance: 1 } }) }, { key: 'acc-0', partition: 0, value: JSON.stringify({ type: 'Noted', data: {} }) }] })

    const result = await runCli(['inspect', uri, '--json'])
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout)
    expect(summary).toMatchObject({ kind: 'kafka', topic, events: events.length + 2, streams: 3 })
    expect(summary.partitions).toHaveLength(3)
    const offsets = await admin.fetchTopicOffsets(topic)
    for (const p of summary.partitions) {
      const o = offsets.find((x) => x.partition === p.partition)!
      expect(p).toEqual({ partition: p.partition, low: o.low, high: o.high, messages: Number(o.high) - Number(o.low) })
    }
    expect(summary.types.find((t: { type: string }) => t.type === 'MoneyDeposited').count).toBe(31)
    const reader = summary.groups.find((g: { groupId: string }) => g.groupId === group)
    expect(reader).toMatchObject({ groupId: group, members: 0, lag: 2 })
    expect(reader.partitions.find((p: { partition: number }) => p.partition === 0).lag).toBe(2)

    const text = await runCli(['inspect', uri])
    expect(text.stdout).toMatch(/PARTITION\s+LOW\s+HIGH\s+MESSAGES/)
    expect(text.stdout).toMatch(new RegExp(`${group}\\s+Empty\\s+0\\s+2\\s+0:`))
  })
})
