// `rewind tail kafka://...` against the real Kafka 4 broker of test/kafka/broker.sh (or KAFKA_BROKERS).
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { BIN, ROOT, runCli, tempDir } from '../helpers.js'
import { requireKcat } from './tools.js'
import { createTopics } from './topics.js'

const { Kafka, logLevel } = kafkajs

const brokers = inject('kafkaBrokers')
// This file's topics and groups carry RUN; other files name theirs otherwise (and never "rewind").
const run = Date.now().toString(36)
const topic = `tail-${run}`
const odd = `odd-${run}`
const live = `live-${run}`
const T0 = Date.parse('2024-03-01T10:00:00.000Z')
const N = 60

interface Line {
  position: string
  stream: string
  type: string
  schemaVersion: number
  time: string
  data: any
  meta: Record<string, any>
  kafka: { topic: string; partition: number; offset: string; key?: string; headers?: Record<string, string> }
}
const parseLines = (stdout: string): Line[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))
const uri = (t: string) => `kafka://${brokers}/${t}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.skipIf(!brokers)('tail on Kafka', () => {
  const kafka = new Kafka({ clientId: 'rewind-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true })
  let all: Line[]
  let groupsBefore: string[]

  beforeAll(async () => {
    await admin.connect()
    await producer.connect()
    await createTopics(admin, [{ topic, numPartitions: 3 }, { topic: odd, numPartitions: 1 }, { topic: live, numPartitions: 2 }])
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: N }, (_, i) => ({
        key: `acc-${i % 6}`,
        value: JSON.stringify({
          eventType: i % 3 === 0 ? 'MoneyWithdrawn' : 'MoneyDeposited',
          eventId: `evt-${i}`,
          timestamp: new Date(T0 + i * 60_000).toISOString(),
          schemaVersion: 2,
          correlationId: `req-${i % 4}`,
          data: { amount: i * 10, accountId: `account-${i % 3}` },
        }),
        headers: { source: 'test', seq: String(i) },
        timestamp: String(T0 + i * 60_000),
      })),
    })
    await producer.send({
      topic: odd,
      acks: -1,
      messages: [
        { key: 'k1', value: 'hello, not json' },
        { key: 'k2', value: Buffer.from([0x00, 0xff, 0x10, 0x80]) },
        { key: 'k3', value: JSON.stringify({ specversion: '1.0', type: 'com.bank.Opened', id: 'ce-1', source: '/bank', subject: 'acc-9', time: '2024-03-02T08:00:00Z', data: { owner: 'Ada' } }) },
        { key: 'k4', value: JSON.stringify({ amount: 5 }), headers: { ce_specversion: '1.0', ce_type: 'com.bank.Deposited', ce_id: 'ce-2', ce_source: '/bank', ce_time: '2024-03-02T09:00:00Z' } },
        { key: 'k5', value: JSON.stringify({ type: 'Flat', amount: 7, time: '2024-03-02T10:00:00Z' }) },
        { key: 'k6', value: null },
      ],
    })
    groupsBefore = (await admin.listGroups()).groups.map((g) => g.groupId)
    const result = await runCli(['tail', uri(topic)])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    all = parseLines(result.stdout)
  })

  afterAll(async () => {
    await producer.disconnect().catch(() => {})
    await admin.deleteTopics({ topics: [topic, odd, live] }).catch(() => {})
    await admin.disconnect().catch(() => {})
  })

  it('prints every message up to the end as Events: position p:o, key as stream, envelope decoded', () => {
    expect(all).toHaveLength(N)
    const e = all.find((x) => x.meta.eventId === 'evt-7')!
    expect(e.type).toBe('MoneyDeposited')
    expect(e.stream).toBe('acc-1')
    expect(e.schemaVersion).toBe(2)
    expect(e.time).toBe(new Date(T0 + 7 * 60_000).toISOString())
    expect(e.data).toEqual({ amount: 70, accountId: 'account-1' })
    expect(e.meta.correlationId).toBe('req-3')
    expect(e.kafka).toMatchObject({ topic, key: 'acc-1', headers: { source: 'test', seq: '7' } })
    expect(e.position).toBe(`${e.kafka.partition}:${e.kafka.offset}`)
    // Within a partition, offsets ascend from 0 without gaps.
    for (let p = 0; p < 3; p++) {
      const offsets = all.filter((x) => x.kafka.partition === p).map((x) => Number(x.kafka.offset))
      expect(offsets).toEqual(offsets.map((_, i) => i))
    }
  })

  it('--from -N takes the last N of each partition, like kcat -o -N', async () => {
    const result = await runCli(['tail', uri(topic), '--from', '-2'])
    const events = parseLines(result.stdout)
    expect(events).toHaveLength(6)
    for (let p = 0; p < 3; p++) {
      const expected = all.filter((x) => x.kafka.partition === p).slice(-2).map((x) => x.position)
      expect(events.filter((x) => x.kafka.partition === p).map((x) => x.position)).toEqual(expected)
    }
  })

  it('--partition with offset:N bounds reads one partition, inclusive', async () => {
    const result = await runCli(['tail', uri(topic), '--partition', '1', '--from', 'offset:3', '--until', 'offset:5'])
    expect(result.code).toBe(0)
    expect(parseLines(result.stdout).map((x) => x.position)).toEqual(['1:3', '1:4', '1:5'])
  })

  it('offset:N on a topic with several partitions needs --partition (exit 2)', async () => {
    const result = await runCli(['tail', uri(topic), '--from', 'offset:3'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: offset:N names an offset in one partition, and tail-\w+ has 3; add --partition P/)
  })

  it('--from/--until TIME use offsets by timestamp per partition', async () => {
    const from = new Date(T0 + 10 * 60_000).toISOString()
    const until = new Date(T0 + 19 * 60_000).toISOString()
    const result = await runCli(['tail', uri(topic), '--from', from, '--until', until])
    const seqs = parseLines(result.stdout).map((x) => Number(x.kafka.headers!.seq)).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i))
  })

  it('--where sees data, meta and kafka; --stream-path picks the stream from the data', async () => {
    const result = await runCli(['tail', uri(topic), '--where', 'kafka.partition == 1 && data.amount >= 100 && meta.correlationId == "req-1"', '--stream-path', 'data.accountId'])
    const events = parseLines(result.stdout)
    const expected = all.filter((x) => x.kafka.partition === 1 && x.data.amount >= 100 && x.meta.correlationId === 'req-1')
    expect(expected.length).toBeGreaterThan(0)
    expect(events.map((x) => x.position)).toEqual(expected.map((x) => x.position))
    for (const e of events) expect(e.stream).toBe(e.data.accountId)
  })

  it('--template prints Kafka tokens', async () => {
    const result = await runCli(['tail', uri(topic), '--partition', '0', '-n', '2', '--template', '{topic} {partition} {offset} {key} {headers.seq} {data.amount}'])
    const first = all.filter((x) => x.kafka.partition === 0).slice(0, 2)
    expect(result.stdout).toBe(first.map((x) => `${topic} 0 ${x.kafka.offset} ${x.kafka.key} ${x.kafka.headers!.seq} ${x.data.amount}\n`).join(''))
  })

  it('decodes CloudEvents (structured and binary) and shows non-JSON values raw, with a warning', async () => {
    const result = await runCli(['tail', uri(odd)])
    expect(result.code).toBe(0)
    const [text, binary, structured, binaryCe, flat, tombstone] = parseLines(result.stdout)
    expect(text).toMatchObject({ type: '(text)', stream: 'k1', data: 'hello, not json', meta: { encoding: 'text' } })
    expect(binary).toMatchObject({ type: '(binary)', data: Buffer.from([0x00, 0xff, 0x10, 0x80]).toString('base64'), meta: { encoding: 'base64' } })
    expect(structured).toMatchObject({ type: 'com.bank.Opened', stream: 'k3', time: '2024-03-02T08:00:00.000Z', data: { owner: 'Ada' }, meta: { eventId: 'ce-1', source: '/bank', subject: 'acc-9' } })
    expect(binaryCe).toMatchObject({ type: 'com.bank.Deposited', time: '2024-03-02T09:00:00.000Z', data: { amount: 5 }, meta: { eventId: 'ce-2', source: '/bank' } })
    expect(flat).toMatchObject({ type: 'Flat', data: { amount: 7 }, time: '2024-03-02T10:00:00.000Z' })
    expect(tombstone).toMatchObject({ type: '(tombstone)', stream: 'k6', data: null })
    const warnings = result.stderr.trimEnd().split('\n')
    expect(warnings).toEqual([
      `warning: ${odd} 0:0: the value is not JSON; shown as text`,
      `warning: ${odd} 0:1: the value is not JSON; shown as base64`,
    ])
  })

  it('--follow prints messages produced later; Ctrl-C exits cleanly', async () => {
    const child = spawn(process.execPath, [BIN, 'tail', uri(live), '-f', '--from', 'end', '--template', '{key} {data.n}'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    try {
      // Produce until the follower has started (it reads from the end captured at its start).
      let n = 0
      const deadline = Date.now() + 30_000
      while (!stdout.includes('\n') && Date.now() < deadline) {
        await producer.send({ topic: live, messages: [{ key: 'warmup', value: JSON.stringify({ type: 'W', data: { n: n++ } }) }] })
        await sleep(200)
      }
      await producer.send({ topic: live, messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ type: 'Live', data: { n: i } }) })) })
      const until = Date.now() + 30_000
      while (!['k0 0', 'k1 1', 'k2 2', 'k3 3', 'k4 4'].every((l) => stdout.includes(l)) && Date.now() < until) await sleep(50)
      child.kill('SIGINT')
      expect([0, 130]).toContain(await exited)
      const lines = stdout.trimEnd().split('\n').filter((l) => l.startsWith('k'))
      expect(lines.sort()).toEqual(['k0 0', 'k1 1', 'k2 2', 'k3 3', 'k4 4'])
      expect(stderr).toBe('')
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('reading leaves no consumer group behind and commits nothing', async () => {
    // Groups other test files make meanwhile are theirs: none is named "rewind", none reads these topics.
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g !== `tail-group-${run}`)
    expect(groups.filter((g) => !groupsBefore.includes(g) && /rewind/i.test(g))).toEqual([])
    for (const groupId of groups) {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic, odd, live] })
      expect(offsets.flatMap((t) => t.partitions).filter((p) => Number(p.offset) >= 0), groupId).toEqual([])
    }
  })

  it('--group starts at the group\'s committed offsets and commits what it printed', async () => {
    const group = `tail-group-${run}`
    const first = await runCli(['tail', uri(topic), '--group', group, '-n', '25'])
    expect(first.stderr).toBe('')
    expect(parseLines(first.stdout)).toHaveLength(25)
    const second = await runCli(['tail', uri(topic), '--group', group])
    const rest = parseLines(second.stdout)
    expect(rest).toHaveLength(N - 25)
    const seen = new Set([...parseLines(first.stdout), ...rest].map((x) => x.position))
    expect(seen.size).toBe(N)
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] })
    const highs = await admin.fetchTopicOffsets(topic)
    for (const p of committed[0].partitions) expect(p.offset).toBe(highs.find((h) => h.partition === p.partition)!.high)
    await admin.deleteGroups([group]).catch(() => {})
  })

  it('brokers and settings come from the config file\'s "kafka" section, sources from @name', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, '.rewindrc.json'), JSON.stringify({ kafka: { brokers: brokers.split(','), timeout: '5s' }, sources: { payments: `kafka:///${topic}` } }))
    const result = await runCli(['tail', '@payments', '--partition', '2', '-n', '3', '--template', '{position}'], { cwd: dir, env: { KAFKA_BROKERS: '' } })
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n')).toEqual(all.filter((x) => x.kafka.partition === 2).slice(0, 3).map((x) => x.position))
  })

  it('kcat sees the same messages (an independent client)', async () => {
    requireKcat()
    const out = spawnSync('kcat', ['-C', '-b', brokers, '-t', topic, '-e', '-q', '-f', '%p:%o\n'], { encoding: 'utf8' })
    expect(out.stdout.trim().split('\n').sort()).toEqual(all.map((x) => x.position).sort())
  })
})

describe.skipIf(!brokers)('tail on Kafka: bad input', () => {
  let silent: Server
  const sockets = new Set<Socket>()
  let silentPort: number
  beforeAll(async () => {
    // A port that accepts connections and never answers: only our timeout ends the wait.
    silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    silentPort = (silent.address() as { port: number }).port
  })
  afterAll(() => {
    for (const socket of sockets) socket.destroy()
    silent.close()
  })

  it('an unreachable broker exits 2 with one line naming it', async () => {
    const result = await runCli(['tail', 'kafka://127.0.0.1:1/orders'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: kafka 127\.0\.0\.1:1: cannot reach the broker \(.*ECONNREFUSED.*\)/)
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('a broker that never answers fails after --timeout, not later', async () => {
    const result = await runCli(['tail', `kafka://127.0.0.1:${silentPort}/orders`, '--timeout', '2s'], { timeoutMs: 30_000 })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`^rewind: kafka 127\\.0\\.0\\.1:${silentPort}: no answer within 2s`))
  })

  it('an unknown topic exits 2 listing the topics that exist', async () => {
    const admin = new Kafka({ clientId: 'rewind-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    const name = `known-${run}`
    await createTopics(admin, [{ topic: name }])
    try {
      const result = await runCli(['tail', uri(`nope-${run}`)])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(new RegExp(`^rewind: kafka://.*/nope-${run}: no topic "nope-${run}"; topics: .*${name}`))
    } finally {
      await admin.deleteTopics({ topics: [name] }).catch(() => {})
      await admin.disconnect()
    }
  })

  it('a SASL password is never printed, not in errors and not with --json', async () => {
    const secret = `s3cr3t-${run}`
    for (const extra of [[], ['--json']]) {
      const result = await runCli(['tail', uri('anything'), '--sasl-mechanism', 'plain', '--sasl-username', 'bob', '--sasl-password', secret, ...extra], {
        env: { DEBUG: '' },
      })
      expect(result.code).toBe(2)
      expect(result.stdout + result.stderr).not.toContain(secret)
      expect(result.stderr).toMatch(/^rewind: kafka .*authentication failed for user "bob"/)
    }
    const fromEnv = await runCli(['tail', uri('anything')], { env: { KAFKA_SASL_USERNAME: 'bob', KAFKA_SASL_PASSWORD: secret } })
    expect(fromEnv.code).toBe(2)
    expect(fromEnv.stdout + fromEnv.stderr).not.toContain(secret)
  })

  it('reads topics that librdkafka (kcat -z) compressed with snappy, lz4, zstd and gzip', async () => {
    requireKcat()
    const admin = new Kafka({ clientId: 'rewind-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    const names = ['snappy', 'lz4', 'zstd', 'gzip'].map((codec) => [codec, `${codec}-${run}`])
    try {
      await createTopics(admin, names.map(([, topic]) => ({ topic })))
      // librdkafka sends a batch uncompressed when compressing does not make it smaller.
      const input = Array.from({ length: 50 }, (_, n) => JSON.stringify({ type: 'Noted', data: { n, text: 'the same words again and again' } })).join('\n') + '\n'
      for (const [codec, topic] of names) {
        const stored = async () => Number((await admin.fetchTopicOffsets(topic))[0].high)
        // kcat may see a new topic late and drop the messages: produce until they are stored.
        for (let i = 0; i < 60 && (await stored()) === 0; i++) {
          spawnSync('kcat', ['-P', '-b', brokers, '-t', topic, '-z', codec], { input, timeout: 20_000 })
          await sleep(250)
        }
        expect(await stored(), codec).toBe(50)
        const result = await runCli(['tail', uri(topic)])
        expect(result.stderr, codec).toBe('')
        const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l))
        expect(events.map((e) => e.data.n), codec).toEqual(Array.from({ length: 50 }, (_, n) => n))
        expect(events[7]).toMatchObject({ type: 'Noted', data: { text: 'the same words again and again' } })
      }
    } finally {
      await admin.deleteTopics({ topics: names.map(([, topic]) => topic) }).catch(() => {})
      await admin.disconnect()
    }
  })

  it('a URI without a topic, or with credentials, exits 2', async () => {
    const noTopic = await runCli(['tail', 'kafka://localhost:9092'])
    expect(noTopic.code).toBe(2)
    expect(noTopic.stderr).toMatch(/^rewind: kafka:\/\/localhost:9092: no topic; expected kafka:\/\/HOST:PORT/)
    const creds = await runCli(['tail', 'kafka://bob:pw@localhost:9092/t'])
    expect(creds.code).toBe(2)
    expect(creds.stderr).not.toContain('pw@')
  })
})
