// SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and TLS (server-verified, and mutual) against a real
// Kafka 4 broker with a SASL_PLAINTEXT listener and two SSL listeners, started here from the jars
// test/kafka/broker.sh fetches, with certificates made here by openssl. Skipped with
// REWIND_KAFKA_SKIP=1 or when Java or openssl is missing.
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
const has = (command: string, arg: string) => spawnSync(command, [arg], { stdio: 'ignore' }).status === 0
const enabled = inject('kafkaBrokers') !== '' && has('java', '-version') && has('openssl', 'version')
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

/** A CA, a server certificate for 127.0.0.1 signed by it (as PKCS#12 for the broker), and a client certificate. */
function makeCertificates(dir: string): { ca: string; serverStore: string; clientCert: string; clientKey: string; otherCa: string } {
  const openssl = (...args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`)
  }
  for (const name of ['ca', 'other-ca']) openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=rewind test ${name}`)
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  for (const name of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=rewind test ${name}`)
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', name === 'server' ? '2' : '3', '-out', `${name}.pem`, '-days', '2',
      ...(name === 'server' ? ['-extfile', 'server.ext'] : []))
  }
  openssl('pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-certfile', 'ca.pem', '-out', 'server.p12', '-passout', 'pass:changeit')
  return { ca: join(dir, 'ca.pem'), serverStore: join(dir, 'server.p12'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key'), otherCa: join(dir, 'other-ca.pem') }
}

describe.skipIf(!enabled)('Kafka with SASL and TLS', () => {
  let dir: string
  let broker: ChildProcess | undefined
  let address: string
  let tlsAddress: string
  let mtlsAddress: string
  let certs: ReturnType<typeof makeCertificates>

  beforeAll(async () => {
    const fetched = spawnSync('bash', [BROKER_SH, 'fetch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    const lib = fetched.stdout.trim().split('\n').pop()!
    expect(existsSync(lib)).toBe(true)
    dir = tempDir('rewind-sasl-')
    const [port, controller, tlsPort, mtlsPort] = [await freePort(), await freePort(), await freePort(), await freePort()]
    address = `127.0.0.1:${port}`
    tlsAddress = `127.0.0.1:${tlsPort}`
    mtlsAddress = `127.0.0.1:${mtlsPort}`
    certs = makeCertificates(dir)
    const props = join(dir, 'server.properties')
    mkdirSync(join(dir, 'data'))
    writeFileSync(props, [
      'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=SASL_PLAINTEXT://${address},TLS://${tlsAddress},MTLS://${mtlsAddress},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=SASL_PLAINTEXT://${address},TLS://${tlsAddress},MTLS://${mtlsAddress}`,
      'inter.broker.listener.name=SASL_PLAINTEXT', 'sasl.mechanism.inter.broker.protocol=PLAIN', 'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'controller.listener.names=CONTROLLER', 'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,TLS:SSL,MTLS:SSL',
      'ssl.keystore.type=PKCS12', `ssl.keystore.location=${certs.serverStore}`, 'ssl.keystore.password=changeit', 'ssl.key.password=changeit',
      'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.ca}`, 'listener.name.mtls.ssl.client.auth=required',
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

  const tlsUri = (at: string) => `kafka://${at}/${TOPIC}`

  it('TLS: verifies the broker against --tls-ca', async () => {
    const result = await runCli(['tail', tlsUri(tlsAddress), '--tls', '--tls-ca', certs.ca])
    expect(result.stderr).toBe('')
    expect(ns(result.stdout)).toEqual([1, 2, 3])
  })

  it('TLS from the environment, and from the config file with a relative CA path', async () => {
    const env = await runCli(['tail', tlsUri(tlsAddress)], { env: { KAFKA_TLS: '1', KAFKA_TLS_CA: certs.ca } })
    expect(env.code).toBe(0)
    expect(ns(env.stdout)).toEqual([1, 2, 3])
    const work = tempDir()
    writeFileSync(join(work, 'ca.pem'), readFileSync(certs.ca))
    writeFileSync(join(work, '.rewindrc.json'), JSON.stringify({ kafka: { brokers: [tlsAddress], ssl: { ca: 'ca.pem' } } }))
    const config = await runCli(['inspect', `kafka:///${TOPIC}`, '--json'], { cwd: work, env: { KAFKA_BROKERS: '' } })
    expect(config.stderr).toBe('')
    expect(JSON.parse(config.stdout)).toMatchObject({ kind: 'kafka', topic: TOPIC, events: 3 })
  })

  it('TLS: a broker certificate from another CA exits 2 within --timeout, saying so; --tls-insecure reads anyway', async () => {
    for (const args of [['--tls', '--tls-ca', certs.otherCa], ['--tls']]) {
      const result = await runCli(['tail', tlsUri(tlsAddress), ...args, '--timeout', '5s'])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^rewind: kafka 127\.0\.0\.1:\d+: the broker's TLS certificate is not trusted \(.+\); name the CA that signed it with --tls-ca FILE/)
      expect(result.stderr).not.toMatch(/\n\s+at /)
    }
    const insecure = await runCli(['tail', tlsUri(tlsAddress), '--tls-insecure'])
    expect(insecure.code).toBe(0)
    expect(ns(insecure.stdout)).toEqual([1, 2, 3])
  })

  it('mutual TLS: --tls-cert and --tls-key get in; without them the broker says no, exit 2', async () => {
    const ok = await runCli(['tail', tlsUri(mtlsAddress), '--tls-ca', certs.ca, '--tls-cert', certs.clientCert, '--tls-key', certs.clientKey])
    expect(ok.stderr).toBe('')
    expect(ns(ok.stdout)).toEqual([1, 2, 3])
    const refused = await runCli(['tail', tlsUri(mtlsAddress), '--tls-ca', certs.ca, '--timeout', '5s'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^rewind: kafka 127\.0\.0\.1:\d+: the broker refused the TLS handshake \(.+\); .*--tls-cert FILE and --tls-key FILE\n$/)
    expect(refused.stderr).not.toMatch(/\n\s+at /)
    const half = await runCli(['tail', tlsUri(mtlsAddress), '--tls-ca', certs.ca, '--tls-cert', certs.clientCert])
    expect(half.code).toBe(2)
    expect(half.stderr).toMatch(/mutual TLS needs both a client certificate and its key/)
  })

  it('plain text to a TLS listener fails within --timeout instead of hanging', async () => {
    const result = await runCli(['tail', tlsUri(tlsAddress), '--timeout', '3s'])
    expect(result.code).toBe(2)
    // The broker's TLS alert, read as a Kafka response size, is recognised (wire-guard.ts).
    expect(result.stderr).toMatch(/^rewind: kafka 127\.0\.0\.1:\d+: 127\.0\.0\.1:\d+ does not answer in the Kafka protocol: .*; it looks like TLS: add --tls\n$/)
  })
})
