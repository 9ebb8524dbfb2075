// A big `tail --format ndjson` of a Kafka topic may be decoded and printed by several threads
// (src/sources/kafka/render-pool.ts; REWIND_THREADS sets how many); its output must be what one
// thread prints. `--format json` always prints on one thread, one event per line: the same lines,
// with brackets and commas.
import type { CpuInfo } from 'node:os'
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { renderThreads } from '../../src/sources/kafka/render-pool.js'
import { idleCores } from '../../src/threads/thread-count.js'
import { runCli } from '../helpers.js'
import { createTopics } from './topics.js'

const { Kafka, logLevel } = kafkajs

const brokers = inject('kafkaBrokers')
const topic = `threads-${Date.now().toString(36)}`
const uri = `kafka://${brokers}/${topic}`
// Above the size from which tail starts worker threads.
const N = 24_000

const ndjsonLines = (stdout: string) => stdout.split('\n').filter((l) => l !== '')
/** `--format json` output as the lines NDJSON would print. */
const jsonLines = (stdout: string) => stdout.split('\n').filter((l) => l !== '[' && l !== ']' && l !== '').map((l) => l.replace(/,$/, ''))

function value(n: number): string | Buffer {
  if (n % 4999 === 11) return `plain text ${n}`
  if (n % 7001 === 3) return Buffer.from([0xc3, 0x28, n % 256])
  return JSON.stringify({ eventType: n % 3 === 0 ? 'Withdrawn' : 'Deposited', eventId: `e-${n}`, timestamp: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(), data: { amount: n % 500, account: `acct-${n % 17}`, note: n % 5 === 0 ? 'ünïcode ☃' : 'plain' } })
}

describe.skipIf(!brokers)('tail on Kafka with worker threads', () => {
  const kafka = new Kafka({ clientId: 'rewind-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
  const admin = kafka.admin()

  beforeAll(async () => {
    await admin.connect()
    await createTopics(admin, [{ topic, numPartitions: 3 }])
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true })
    await producer.connect()
    for (let from = 0; from < N; from += 3000) {
      const messages = Array.from({ length: 3000 }, (_, i) => ({ key: `k-${(from + i) % 101}`, value: value(from + i), headers: (from + i) % 10 === 0 ? { trace: `t-${from + i}` } : undefined }))
      await producer.send({ topic, acks: -1, messages })
    }
    await producer.disconnect()
  }, 120_000)

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.disconnect().catch(() => {})
  })

  it('prints every message, byte for byte as one thread does, with the same warnings', async () => {
    const [three, one, json] = await Promise.all([
      runCli(['tail', uri, '--format', 'ndjson'], { env: { REWIND_THREADS: '3' } }),
      runCli(['tail', uri, '--format', 'ndjson'], { env: { REWIND_THREADS: '1' } }),
      runCli(['tail', uri, '--format', 'json']),
    ])
    expect(three.code).toBe(0)
    const lines = ndjsonLines(three.stdout)
    expect(lines).toHaveLength(N)
    expect(three.stdout).toBe(one.stdout)
    expect(lines).toEqual(jsonLines(json.stdout))
    const warnings = three.stderr.trimEnd().split('\n')
    expect(warnings).toHaveLength(6)
    expect(warnings[5]).toBe('warning: further messages that are not JSON are shown without a warning')
    expect(three.stderr).toBe(one.stderr)
  })

  it('--where, --type and --stream-path select the same events', async () => {
    const args = ['--where', 'data.amount > 250 && data.note == "plain"', '--type', 'Dep*', '--stream-path', 'data.account', '--stream', 'acct-1*']
    const [two, json] = await Promise.all([runCli(['tail', uri, ...args, '--format', 'ndjson'], { env: { REWIND_THREADS: '2' } }), runCli(['tail', uri, ...args, '--format', 'json'])])
    expect(two.code).toBe(0)
    const lines = ndjsonLines(two.stdout)
    expect(lines.length).toBeGreaterThan(1000)
    expect(lines).toEqual(jsonLines(json.stdout))
    expect(lines.every((l) => JSON.parse(l).stream.startsWith('acct-1'))).toBe(true)
  })

  it('REWIND_THREADS that is not a number exits 2 saying what it expects', async () => {
    const result = await runCli(['tail', uri, '--format', 'ndjson'], { env: { REWIND_THREADS: 'many' } })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('rewind: REWIND_THREADS "many": expected a number of threads, 1 to 4')
  })
})

describe('how many threads decode a Kafka read', () => {
  const cpu = (idle: number, busy: number): CpuInfo => ({ model: '', speed: 0, times: { user: busy, nice: 0, sys: 0, idle, irq: 0 } })
  const big = [{ partition: 0, from: 0n, until: 100_000n }]

  it('counts the cores that were idle between two readings', () => {
    expect(idleCores([cpu(0, 0), cpu(0, 0)], [cpu(100, 0), cpu(0, 100)])).toBe(1)
    expect(idleCores([cpu(0, 0), cpu(0, 0)], [cpu(0, 100), cpu(0, 100)])).toBe(0)
    expect(idleCores([], [])).toBe(0)
  })

  it('one thread for small or endless reads; REWIND_THREADS when set', () => {
    expect(renderThreads([{ partition: 0, from: 0n, until: 500n }], [], { REWIND_THREADS: '4' })).toBe(1)
    expect(renderThreads([{ partition: 0, from: 0n }], [], { REWIND_THREADS: '4' })).toBe(1)
    expect(renderThreads(big, [], { REWIND_THREADS: '3' })).toBe(3)
    expect(renderThreads(big, [], { REWIND_THREADS: '64' })).toBe(4)
    expect(() => renderThreads(big, [], { REWIND_THREADS: '0' })).toThrow('REWIND_THREADS "0"')
  })
})
