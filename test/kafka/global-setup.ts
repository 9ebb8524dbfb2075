// vitest globalSetup: a real Kafka broker for the Kafka integration tests.
//
// - KAFKA_BROKERS set (e.g. a broker in Docker, `host:port[,host:port]`): use it as is.
// - otherwise: `test/kafka/broker.sh start` (Apache Kafka 4.x, KRaft, 127.0.0.1, a free port).
//   A broker that was already running (started by hand with broker.sh) is reused and left
//   running; one started here is stopped at teardown unless REWIND_KAFKA_KEEP=1.
// - REWIND_KAFKA_SKIP=1: start nothing and provide '' (Kafka tests should then skip).
//
// Tests read the address with `inject('kafkaBrokers')`; child processes (bin/run.js) see it
// as KAFKA_BROKERS.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

const BROKER_SH = fileURLToPath(new URL('./broker.sh', import.meta.url))
// The first run fetches the jars with Maven; later starts take a few seconds.
const START_TIMEOUT_MS = 10 * 60 * 1000

function brokerSh(args: string[], timeoutMs: number): Promise<{ code: number | null, stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [BROKER_SH, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => { stdout += chunk })
    const timer = setTimeout(() => {
      child.kill('SIGTERM')
      reject(new Error(`test/kafka/broker.sh ${args.join(' ')} did not finish within ${timeoutMs / 1000}s`))
    }, timeoutMs)
    child.on('error', (err) => { clearTimeout(timer); reject(err) })
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout }) })
  })
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  return lines[lines.length - 1] ?? ''
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const given = process.env.KAFKA_BROKERS?.trim()
  if (given) {
    provide('kafkaBrokers', given)
    return async () => {}
  }
  if (process.env.REWIND_KAFKA_SKIP === '1') {
    provide('kafkaBrokers', '')
    return async () => {}
  }

  const status = await brokerSh(['status'], 30_000)
  let startedHere = false
  let address = status.code === 0 ? lastLine(status.stdout) : ''
  if (!address) {
    const started = await brokerSh(['start'], START_TIMEOUT_MS)
    address = lastLine(started.stdout)
    if (started.code !== 0 || !/^[\w.-]+:\d+$/.test(address)) {
      throw new Error(`test/kafka/broker.sh start failed (exit ${started.code}); see the messages above`)
    }
    startedHere = true
  }

  provide('kafkaBrokers', address)
  process.env.KAFKA_BROKERS = address

  return async () => {
    if (startedHere && process.env.REWIND_KAFKA_KEEP !== '1') {
      await brokerSh(['stop'], 60_000)
    }
  }
}
