import Database from 'better-sqlite3'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import kafkajs from 'kafkajs'
import { measureCommand, type BenchContext, type BenchRow } from './context.js'
import { BENCH_EVENTS } from './store.js'

const BROKER_SH = fileURLToPath(new URL('../../../test/kafka/broker.sh', import.meta.url))
const KAFKA_MESSAGES = 200_000
const KAFKA_TOPIC = 'rewind-bench-tail-200k-v1'
const SQLITE_GOAL = 300_000
const KAFKA_GOAL = 100_000

const median = <T>(values: T[], by: (v: T) => number): T => [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)]

/** For scale: the same rows read and turned into NDJSON by a hand-written loop, in-process. */
function sqliteFloor(store: string): number {
  const db = new Database(store, { readonly: true })
  const started = process.hrtime.bigint()
  let chunk = ''
  const rows = db.prepare('SELECT id, stream_id, version, event_type, created_at, event_data, metadata FROM events ORDER BY id').raw(true).iterate() as IterableIterator<[number, string, number, string, string, string, string]>
  for (const [position, stream, version, type, time, data, meta] of rows) {
    chunk += `${JSON.stringify({ position, stream, version, type, schemaVersion: 1, time, data: JSON.parse(data), meta: JSON.parse(meta) })}\n`
    if (chunk.length > 65536) chunk = ''
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  db.close()
  return seconds
}

async function sqliteRows(ctx: BenchContext): Promise<BenchRow[]> {
  const floor = BENCH_EVENTS / sqliteFloor(ctx.store)
  // Alternating with the same on one thread: by default a thread is added only when a core is idle.
  const runs = []
  const single = []
  for (let i = 0; i < 3; i++) {
    runs.push(await ctx.rewind(['tail', ctx.store, '--format', 'ndjson']))
    single.push(await ctx.rewind(['tail', ctx.store, '--format', 'ndjson'], { env: { REWIND_THREADS: '1' } }))
  }
  const failed = [...runs, ...single].find((r) => r.code !== 0)
  if (failed !== undefined) throw new Error(`rewind tail failed: ${failed.stderr}`)
  const rate = BENCH_EVENTS / median(runs, (r) => r.seconds).seconds
  const singleRate = BENCH_EVENTS / median(single, (r) => r.seconds).seconds
  return [
    { measure: '(e) floor: raw loop rows -> NDJSON (JSON.parse + stringify), in-process', value: floor, unit: 'events/s' },
    { measure: '(e) rewind tail 1M --format ndjson > /dev/null', value: rate, unit: 'events/s', goal: `>= ${SQLITE_GOAL.toLocaleString('en-US')}`, pass: rate >= SQLITE_GOAL },
    { measure: '(e) tail / floor throughput', value: rate / floor, unit: 'x' },
    { measure: '(e) tail peak RSS', value: Math.max(...runs.map((r) => r.peakRssMiB)), unit: 'MiB' },
    { measure: '(e) the same on one thread (REWIND_THREADS=1)', value: singleRate, unit: 'events/s' },
    { measure: '(e) one thread peak RSS', value: Math.max(...single.map((r) => r.peakRssMiB)), unit: 'MiB' },
  ]
}

/** KAFKA_BROKERS, or the broker of test/kafka/broker.sh (started here when not running). */
function kafkaBrokers(ctx: BenchContext): { brokers: string; stop?: () => void } | undefined {
  if (process.env.KAFKA_BROKERS?.trim()) return { brokers: process.env.KAFKA_BROKERS.trim() }
  const last = (text: string) => text.trim().split('\n').pop() ?? ''
  const status = spawnSync('bash', [BROKER_SH, 'status'], { encoding: 'utf8' })
  if (status.status === 0 && last(status.stdout)) return { brokers: last(status.stdout) }
  ctx.log('starting the test Kafka broker (test/kafka/broker.sh start)')
  const started = spawnSync('bash', [BROKER_SH, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (started.status !== 0) return undefined
  return { brokers: last(started.stdout), stop: () => spawnSync('bash', [BROKER_SH, 'stop'], { stdio: 'ignore' }) }
}

/** 200,000 JSON envelopes in 3 partitions, produced once and kept for later runs. */
async function ensureTopic(brokers: string, log: (m: string) => void): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: 'rewind-bench', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  try {
    if ((await admin.listTopics()).includes(KAFKA_TOPIC)) {
      const offsets = await admin.fetchTopicOffsets(KAFKA_TOPIC)
      if (offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0) === KAFKA_MESSAGES) return
      await admin.deleteTopics({ topics: [KAFKA_TOPIC] })
    }
    log(`producing ${KAFKA_MESSAGES.toLocaleString('en-US')} messages to ${KAFKA_TOPIC} (once)`)
    await admin.createTopics({ topics: [{ topic: KAFKA_TOPIC, numPartitions: 3 }], waitForLeaders: true })
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true })
    await producer.connect()
    const start = Date.parse('2026-01-01T00:00:00Z')
    for (let i = 0; i < KAFKA_MESSAGES; i += 10_000) {
      const messages = Array.from({ length: 10_000 }, (_, j) => {
        const n = i + j
        return {
          key: `account-${n % 10_000}`,
          value: JSON.stringify({
            eventType: n % 3 === 0 ? 'MoneyWithdrawn' : 'MoneyDeposited', eventId: `e-${n}`, timestamp: new Date(start + n * 1000).toISOString(),
            correlationId: `c-${n % 9973}`, data: { amount: 1 + (n % 500), currency: 'EUR', reference: `ref-${n}` },
          }),
        }
      })
      await producer.send({ topic: KAFKA_TOPIC, acks: -1, messages })
    }
    await producer.disconnect()
  } finally {
    await admin.disconnect()
  }
}

async function kafkaRows(ctx: BenchContext): Promise<BenchRow[]> {
  const broker = kafkaBrokers(ctx)
  if (broker === undefined) {
    ctx.log('Kafka rows skipped: no broker (set KAFKA_BROKERS or make test/kafka/broker.sh start work)')
    return []
  }
  try {
    await ensureTopic(broker.brokers, ctx.log)
    const uri = `kafka://${broker.brokers}/${KAFKA_TOPIC}`
    // Alternating with the same on one thread: by default a decoding thread is added only when a core is idle.
    const runs = []
    const single = []
    for (let i = 0; i < 3; i++) {
      runs.push(await ctx.rewind(['tail', uri, '--until', 'end', '--format', 'ndjson']))
      single.push(await ctx.rewind(['tail', uri, '--until', 'end', '--format', 'ndjson'], { env: { REWIND_THREADS: '1' } }))
    }
    const failed = [...runs, ...single].find((r) => r.code !== 0)
    if (failed !== undefined) throw new Error(`rewind tail of Kafka failed: ${failed.stderr}`)
    const run = median(runs, (r) => r.seconds)
    const rate = KAFKA_MESSAGES / run.seconds
    const singleRate = KAFKA_MESSAGES / median(single, (r) => r.seconds).seconds
    const rows: BenchRow[] = [
      { measure: '(f) rewind tail Kafka 200k/3 partitions --until end', value: rate, unit: 'msg/s', goal: `>= ${KAFKA_GOAL.toLocaleString('en-US')}`, pass: rate >= KAFKA_GOAL },
      { measure: '(f) tail Kafka peak RSS', value: Math.max(...runs.map((r) => r.peakRssMiB)), unit: 'MiB' },
      { measure: '(f) the same on one thread (REWIND_THREADS=1)', value: singleRate, unit: 'msg/s' },
    ]
    if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status !== 0) {
      ctx.log('kcat rows skipped: kcat is not installed (apt-get install -y kcat)')
      return rows
    }
    const kcats = []
    for (let i = 0; i < 3; i++) kcats.push(await measureCommand('kcat', ['-C', '-b', broker.brokers, '-t', KAFKA_TOPIC, '-e', '-o', 'beginning', '-q']))
    if (kcats.some((r) => r.code !== 0)) throw new Error(`kcat failed: ${kcats.find((r) => r.code !== 0)!.stderr}`)
    const kcatRate = KAFKA_MESSAGES / median(kcats, (r) => r.seconds).seconds
    rows.push({ measure: '(f) kcat -C -e -o beginning, same topic', value: kcatRate, unit: 'msg/s' })
    rows.push({ measure: '(f) rewind / kcat throughput', value: rate / kcatRate, unit: 'x' })
    return rows
  } finally {
    broker.stop?.()
  }
}

/** `rewind tail` speed: the 1M-event SQLite store, and a 200,000-message Kafka topic next to kcat. */
export default async function tailSection(ctx: BenchContext): Promise<BenchRow[]> {
  return [...await sqliteRows(ctx), ...await kafkaRows(ctx)]
}
