// SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) against a real Kafka 4 broker with a SASL_PLAINTEXT
// listener, started here from the jars test/kafka/broker.sh fetches. Skipped with REWIND_KAFKA_SKIP=1
// or when Java is missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCli, tempDir } from '../helpers.js'
import { createTopics } from './topics.js'

const { Kafka, logLevel } = kafkajs

const BROKER_SH = fileURLToPath(new URL('./broker.sh', import.meta.url))
const enabled = inject('kafkaBrokers') !== '' && spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0
const TOPIC = 'sasl-orders'
const USERS = { admin: 'admin-secret', alice: 'alice-pw-PLAIN', bob: 'bob-pw-SCRAM256', carol: 'carol-pw-SCRAM512' }

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

describe.skipIf(!enabled)('Kafka with SASL', () => {
  let dir: string
  let broker: ChildProcess | undefined
  let address: string

  beforeAll(async () => {
    const fetched = spawnSync('bash', [BROKER_SH, 'fetch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    const lib = fetched.stdout.trim().split('\n').pop()!
    expect(existsSync(lib)).toBe(true)
    dir = tempDir('rewind-sasl-')
    const [port, controller] = [await freePort(), await freePort()]
    address = `127.0.0.1:${port}`
    const props = join(dir, 'server.properties')
    mkdirSync(join(dir, 'data'))
    writeFileSync(props, [
      'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=SASL_PLAINTEXT://${address},CONTROLLER://127.0.0.1:${controller}`, `advertised.listeners=SASL_PLAINTEXT://${address}`,
      'inter.broker.listener.name=SASL_PLAINTEXT', 'sasl.mechanism.inter.broker.protocol=PLAIN', 'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'controller.listener.names=CONTROLLER', 'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${USERS.admin}" user_admin="${USERS.admin}" user_alice="${USERS.alice}";`,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      `log.dirs=${join(dir, 'data')}`, 'num.partitions=1', 'auto.create.topics.enable=false', 'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1', 'transaction.state.log.min.isr=1', 'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1', 'group.initial.rebalance.delay.ms=0', 'log.retention.ms=-1',
    ].join('\n'))
    const classpath = `${lib}/*`
    const format = spawnSync('java', ['-Xmx256m', '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', 'cmV3aW5kLXNhc2wtdGVzdA', '-c', props,
      '--add-scram', `SCRAM-SHA-256=[name=bob,password=${USERS.bob}]`, '--add-scram', `SCRAM-SHA-512=[name=carol,password=${USERS.carol}]`], { encoding: 'utf8' })
    expect(format.status, format.stderr + format.stdout).toBe(0)
    const log = join(dir, 'broker.log')
    broker = spawn('bash', ['-c', `exec java -Xms128m -Xmx384m -XX:+UseSerialGC -cp '${classpath}' kafka.Kafka '${props}' > '${log}' 2>&1`], { stdio: 'ignore' })
    // Ready when an authenticated client gets metadata (the broker logs only errors without a log4j config).
    const kafka = new Kafka({ clientId: 'rewind-test', brokers: [address], sasl: { mechanism: 'plain', username: 'admin', password: USERS.admin }, logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    const admin = kafka.admin()
    const deadline = Date.now() + 150_000
    for (;;) {
      if (broker.exitCode !== null || Date.now() > deadline) throw new Error(`the SASL broker did not start:\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : ''}`)
      try {
        await admin.connect()
        await admin.listTopics()
        break
      } catch {
        await admin.disconnect().catch(() => {})
        await new Promise((r) => setTimeout(r, 500))
      }
    }
    await createTopics(admin, [{ topic: TOPIC, numPartitions: 2 }])
    await admin.disconnect()
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, retry: { retries: 5 } })
    await producer.connect()
    await producer.send({ topic: TOPIC, acks: -1, messages: [1, 2, 3].map((n) => ({ key: `order-${n}`, value: JSON.stringify({ type: 'OrderPlaced', data: { n } }) })) })
    await producer.disconnect()
  })

  afterAll(() => {
    broker?.kill('SIGKILL')
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const uri = () => `kafka://${address}/${TOPIC}`
  const ns = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).data.n).sort()

  it('PLAIN from flags', async () => {
    const result = await runCli(['tail', uri(), '--sasl-mechanism', 'plain', '--sasl-username', 'alice', '--sasl-password', USERS.alice])
    expect(result.stderr).toBe('')
    expect(ns(result.stdout)).toEqual([1, 2, 3])
  })

  it('SCRAM-SHA-256 from the environment', async () => {
    const result = await runCli(['tail', uri()], { env: { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'bob', KAFKA_SASL_PASSWORD: USERS.bob } })
    expect(result.code).toBe(0)
    expect(ns(result.stdout)).toEqual([1, 2, 3])
  })

  it('SCRAM-SHA-512 from the config file, with the password read from an env var', async () => {
    const work = tempDir()
    writeFileSync(join(work, '.rewindrc.json'), JSON.stringify({
      kafka: { brokers: [address], sasl: { mechanism: 'scram-sha-512', username: 'carol', password: 'env:ORDERS_KAFKA_PASSWORD' } },
      sources: { orders: `kafka:///${TOPIC}` },
    }))
    const result = await runCli(['inspect', '@orders', '--json'], { cwd: work, env: { KAFKA_BROKERS: '', ORDERS_KAFKA_PASSWORD: USERS.carol } })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'kafka', topic: TOPIC, events: 3 })
    expect(result.stdout).not.toContain(USERS.carol)
  })

  it('a wrong password exits 2 naming the user, never the password', async () => {
    const wrong = 'not-the-password-123'
    for (const mechanism of ['plain', 'scram-sha-256']) {
      const result = await runCli(['tail', uri(), '--sasl-mechanism', mechanism, '--sasl-username', mechanism === 'plain' ? 'alice' : 'bob', '--sasl-password', wrong, '--json'])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^rewind: kafka .*authentication failed for user "(alice|bob)"/)
      expect(result.stdout + result.stderr).not.toContain(wrong)
    }
  })

  it('no credentials for a SASL listener fails within --timeout', async () => {
    const result = await runCli(['tail', uri(), '--timeout', '3s'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^rewind: kafka 127\.0\.0\.1:\d+: /)
  })
})
