// `rewind upcast check --against kafka://...` on the real Kafka 4 broker of test/kafka/broker.sh.
import { cpSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { makeDemo, runCli, tempDir } from './helpers.js'
import { createTopics } from './kafka/topics.js'

const { Kafka, logLevel } = kafkajs
const brokers = inject('kafkaBrokers')
const topic = `upcast-${Date.now().toString(36)}`
const T0 = Date.parse('2026-11-02T08:00:00.000Z')

// Deposits in all three schemas and the old FundsWithdrawn, as an application would publish them.
const messages = Array.from({ length: 30 }, (_, i) => {
  const kind = i % 4
  const body = kind === 0 ? { eventType: 'MoneyDeposited', schemaVersion: 1, data: { amount: 10 + i } }
    : kind === 1 ? { eventType: 'MoneyDeposited', schemaVersion: 2, data: { amount: 10 + i, currency: 'USD' } }
      : kind === 2 ? { eventType: 'MoneyDeposited', schemaVersion: 3, data: { amount: { value: 10 + i, currency: 'EUR' } } }
        : { eventType: 'FundsWithdrawn', schemaVersion: 1, data: { amount: i } }
  return { key: `acc-${i % 3}`, value: JSON.stringify({ ...body, eventId: `evt-${i}`, correlationId: `req-${i}`, timestamp: new Date(T0 + i * 60_000).toISOString() }) }
})

describe.skipIf(!brokers)('upcast check --against a Kafka topic', () => {
  const kafka = new Kafka({ clientId: 'rewind-upcast-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  // Idempotent: a retried send under load must not store a message twice (the counts below are exact).
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 })
  let dir: string

  beforeAll(async () => {
    const demo = await makeDemo()
    dir = tempDir('rewind-upcast-kafka-')
    cpSync(join(demo, 'upcaster-fixtures'), join(dir, 'fx'), { recursive: true })
    cpSync(join(demo, 'upcasters.ts'), join(dir, 'upcasters.ts'))
    await admin.connect()
    await producer.connect()
    await createTopics(admin, [{ topic, numPartitions: 2 }])
    await producer.send({ topic, acks: -1, messages })
  })

  afterAll(async () => {
    await producer.disconnect()
    await admin.disconnect()
  })

  it('runs the chain over every message and lists the type/version pairs with counts', async () => {
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'upcasters.ts', '--against', `kafka://${brokers}/${topic}`, '--json'], { cwd: dir })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const doc = JSON.parse(result.stdout)
    expect(doc.against.events).toBe(30)
    expect(doc.against.pairs.map((p: { type: string; schemaVersion: number; count: number; failed: number }) => [p.type, p.schemaVersion, p.count, p.failed])).toEqual([
      ['FundsWithdrawn', 1, 7, 0], ['MoneyDeposited', 1, 8, 0], ['MoneyDeposited', 2, 8, 0], ['MoneyDeposited', 3, 7, 0],
    ])
  })

  it('reports the first failing message per pair as partition:offset, exit 1', async () => {
    writeFileSync(join(dir, 'strict.mjs'), `export default [
  { type: 'MoneyDeposited', from: 1, to: 2, up: (e) => ({ ...e, data: { ...e.data, currency: 'EUR' } }) },
  { type: 'MoneyDeposited', from: 2, to: 3, up: (e) => { if (e.data.currency === 'USD') throw new Error('USD needs a rate'); return { ...e, data: { amount: { value: e.data.amount, currency: e.data.currency } } } } },
  { type: 'FundsWithdrawn', from: 1, to: 2, up: (e) => ({ ...e, type: 'MoneyWithdrawn' }) },
]
`)
    const result = await runCli(['upcast', 'check', 'fx', '--upcasters', 'strict.mjs', '--against', `kafka://${brokers}/${topic}`, '--json'], { cwd: dir })
    expect(result.code).toBe(1)
    const doc = JSON.parse(result.stdout)
    const v2 = doc.against.pairs.find((p: { type: string; schemaVersion: number }) => p.type === 'MoneyDeposited' && p.schemaVersion === 2)
    expect(v2).toMatchObject({ count: 8, failed: 8, firstFailure: { upcaster: 'strict.mjs #2 (MoneyDeposited v2->v3)', reason: expect.stringContaining('USD needs a rate') } })
    expect(v2.firstFailure.position).toMatch(/^[01]:\d+$/)
    // The USD fixture fails too; the topic's failure is reported once, for its pair.
    expect(doc.failed.filter((f: { check: string }) => f.check === 'against')).toEqual([expect.objectContaining({ check: 'against', reason: expect.stringMatching(/^MoneyDeposited v2: 8 of 8 stored events fail; first at position [01]:\d+ /) })])
  })
})
